import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDnsSeedServer, type DnsSeedServer } from '../../src/sim/dns-seed-server.ts'
import { ensureFreshBuild } from '../helpers/build.ts'
import { runCli } from '../helpers/cli.ts'
import { startSocks5Server, type Socks5Server } from '../helpers/socks5-server.ts'
import { tempDir } from '../helpers/temp-dir.ts'

/** tsc may have to rebuild dist while other work edits sources. */
const BUILD_TIMEOUT_MS = 180_000

const CHAINPARAMS = {
  name: 'clitest',
  magic: '0a0b0c0d',
  defaultPort: 18444,
  protocolVersion: 70016,
  allowLocalAddresses: true,
  dnsSeeds: [
    { host: 'seed-a.test', hasFiltering: false },
    { host: 'seed-f.test', hasFiltering: true },
    { host: 'junk.test', hasFiltering: false },
    { host: '198.51.100.7', hasFiltering: false }
  ]
}

describe('peerkeeper seed', () => {
  let server: DnsSeedServer
  let proxy: Socks5Server
  let file: string
  let dead: string
  beforeAll(async () => {
    await ensureFreshBuild(['bin/peerkeeper.ts', 'src/cli/commands/seed.ts'])
    server = await startDnsSeedServer({
      records: { 'seed-a.test': { a: ['192.0.2.1'], aaaa: ['2001:db8::1'] }, 'x9.seed-f.test': { a: ['192.0.2.7'] }, 'x1.seed-f.test': { a: ['192.0.2.8'] } },
      garbage: ['junk.test'],
      silent: ['dead.test']
    })
    proxy = await startSocks5Server({ resolve: { 'seed-a.test': '10.1.1.1', 'x9.seed-f.test': '10.2.2.2' } })
    const dir = tempDir('seed-cli')
    file = join(dir, 'clitest.json')
    writeFileSync(file, JSON.stringify(CHAINPARAMS))
    dead = join(dir, 'dead.json')
    writeFileSync(dead, JSON.stringify({ ...CHAINPARAMS, dnsSeeds: [{ host: 'dead.test', hasFiltering: false }] }))
  }, BUILD_TIMEOUT_MS)
  afterAll(async () => {
    await server.close()
    await proxy.close()
  })
  const dns = () => ['--dnsserver', `127.0.0.1:${server.port}`]

  it('prints what each seed returned, failures included, as a table', async () => {
    const result = await runCli(['seed', '--chainparams', file, ...dns()])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(new RegExp([
      `^DNS seeds of clitest \\(dns via 127\\.0\\.0\\.1:${server.port}, services 0x9\\):\n\n`,
      'seed-a\\.test  2 addresses\n  192\\.0\\.2\\.1:18444\n  \\[2001:db8::1\\]:18444\n',
      'seed-f\\.test  \\(asked x9\\.seed-f\\.test\\)  1 address\n  192\\.0\\.2\\.7:18444\n',
      'junk\\.test  FAILED: junk\\.test: malformed answer from [^\n]+\n',
      '198\\.51\\.100\\.7  1 address\n  198\\.51\\.100\\.7:18444\n\n',
      '4 addresses from 3 of 4 seeds\n$'
    ].join('')))
  })

  it('prints one JSON document with --json, asking filtering seeds for the given --services', async () => {
    const result = await runCli(['seed', '--chainparams', file, ...dns(), '--json', '--services', '1'])
    expect(result.code).toBe(0)
    const doc = JSON.parse(result.stdout) as { network: string, services: string, total: number, seeds: Array<{ seed: string, queried: string, error?: string, addresses: Array<{ host: string, port: number, services: string, time: number }> }> }
    expect([doc.network, doc.services, doc.total]).toEqual(['clitest', '0x1', 3])
    expect(doc.seeds.map((s) => [s.seed, s.queried, s.addresses.map((a) => a.host)])).toEqual([
      ['seed-a.test', 'seed-a.test', ['192.0.2.1', '2001:db8::1']],
      ['seed-f.test', 'seed-f.test', []],
      ['junk.test', 'junk.test', []],
      ['198.51.100.7', '198.51.100.7', ['198.51.100.7']]
    ])
    expect(doc.seeds[1]?.error).toContain('NXDOMAIN')
    expect(doc.seeds[0]?.addresses[0]).toMatchObject({ port: 18444, services: '0x1' })
  })

  it('resolves the seed names through the proxy with --proxy, sending nothing to clear DNS', async () => {
    const before = server.queries.length
    const result = await runCli(['seed', '--chainparams', file, '--proxy', `127.0.0.1:${proxy.port}`, '--timeout', '5000'])
    expect(result.stdout).toContain(`(tor via 127.0.0.1:${proxy.port}, services 0x9)`)
    expect(result.stdout).toContain('seed-a.test  1 address\n  10.1.1.1:18444')
    expect(result.stdout).toContain('seed-f.test  (asked x9.seed-f.test)  1 address\n  10.2.2.2:18444')
    expect(result.stdout).toContain('junk.test  FAILED: tor host is unreachable (SOCKS5 status 0x04) resolving junk.test')
    expect(server.queries.length).toBe(before)
  })

  it('exits 1 when no seed returned an address, after printing why', async () => {
    const result = await runCli(['seed', '--chainparams', dead, ...dns(), '--timeout', '300'])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('dead.test  FAILED: no answer for dead.test within 300 ms')
    expect(result.stderr.trim()).toBe('peerkeeper: no DNS seed returned an address')
  })

  it.concurrent.each<[string[], string]>([
    [['--network', 'regtest', '--chainparams', '/x.json'], '--chainparams and --network cannot be combined'],
    [['--network', 'moonnet'], '--network: unknown network "moonnet"'],
    [['--network', 'regtest'], '--network: regtest has no DNS seeds'],
    [['--network', 'signet', '--dnsserver', 'dns.example.org'], '--dnsserver: "dns.example.org" is not an IP address (expected IP[:PORT])'],
    [['--network', 'signet', '--dnsserver', '127.0.0.1:70000'], '--dnsserver: "127.0.0.1:70000" has port "70000"'],
    [['--network', 'signet', '--proxy', '127.0.0.1:9050', '--dnsserver', '127.0.0.1'], '--dnsserver cannot be combined with --proxy'],
    [['--network', 'signet', '--proxyuser', 'u'], '--proxyuser needs --proxy'],
    [['--network', 'signet', '--timeout', '0'], '--timeout: expected a positive number of milliseconds, got 0'],
    [['--network', 'signet', '--services', 'lots'], '--services: "lots" is not a number']
  ])('refuses %j with exit status 2', async (args, message) => {
    const result = await runCli(['seed', ...args])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`peerkeeper: ${message}`)
    expect(result.stdout).toBe('')
  })
})
