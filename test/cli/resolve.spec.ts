import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureFreshBuild } from '../helpers/build.ts'
import { runCli } from '../helpers/cli.ts'
import { startSocks5Server, type Socks5Server } from '../helpers/socks5-server.ts'

/** tsc may have to rebuild dist while other work edits sources. */
const BUILD_TIMEOUT_MS = 180_000

describe('peerkeeper resolve', () => {
  let proxy: Socks5Server
  beforeAll(async () => {
    await ensureFreshBuild(['bin/peerkeeper.ts', 'src/cli/commands/resolve.ts'])
    proxy = await startSocks5Server({ resolve: { 'seed.test': '10.3.3.3', 'v6.test': '2001:db8::3', 'refused.test': 5 } })
  }, BUILD_TIMEOUT_MS)
  afterAll(async () => { await proxy.close() })

  it('prints the address Tor returns, IPv4 or IPv6', async () => {
    const v4 = await runCli(['resolve', 'seed.test', '--proxy', `127.0.0.1:${proxy.port}`])
    expect([v4.code, v4.stdout]).toEqual([0, '10.3.3.3\n'])
    const v6 = await runCli(['resolve', 'v6.test', '--proxy', `127.0.0.1:${proxy.port}`, '--proxyuser', 'iso', '--proxypass', 'x'])
    expect([v6.code, v6.stdout]).toEqual([0, '2001:db8::3\n'])
    expect(proxy.requests.at(-1)).toMatchObject({ host: 'v6.test', username: 'iso', password: 'x' })
  })

  it('prints Tor\'s error and exits 1', async () => {
    const result = await runCli(['resolve', 'refused.test', '--proxy', `127.0.0.1:${proxy.port}`])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim()).toBe('peerkeeper: tor connection refused (SOCKS5 status 0x05) resolving refused.test')
  })

  it.concurrent.each<[string[], string]>([
    [['seed.test'], '--proxy is required: resolve asks Tor (SOCKS5 RESOLVE), never clear DNS'],
    [['seed.test', '--proxy', 'not a proxy'], '--proxy: "not a proxy" is not a host name or IP address'],
    [['seed.test', '--proxy', '127.0.0.1', '--timeout', '-5'], '--timeout: expected a positive number of milliseconds, got -5']
  ])('refuses %j with exit status 2', async (args, message) => {
    const result = await runCli(['resolve', ...args])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`peerkeeper: ${message}`)
  })
})
