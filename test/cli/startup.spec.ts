import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDnsSeedServer, type DnsSeedServer } from '../../src/sim/dns-seed-server.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { PEERKEEPER_VERSION } from '../../src/version.ts'
import { ensureBuiltCli, runCli } from '../helpers/cli.ts'
import { loadedPackages, preloadOptions, recordLoads } from '../helpers/loads.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { startNodeProcess } from '../helpers/node-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// What the built CLI loads for each command (recorded by a preload in the child process), and that its
// JSON log stays JSON line by line whatever Node warns about.

/** Packages only some commands or flags need; none of them may load for --version or --help. */
const HEAVY = ['level', 'classic-level', 'winston', 'dns2', 'socks', 'prom-client', '@noble/curves']

describe('start-up of the built CLI', () => {
  let sim: SimNetwork
  let dns: DnsSeedServer

  beforeAll(async () => {
    await ensureBuiltCli()
    sim = await startSimNetwork({ peers: { live: 2 }, port: 0, seed: 5 })
    dns = await startDnsSeedServer({ records: {} })
  }, 120_000)

  afterAll(async () => {
    await (dns as DnsSeedServer | undefined)?.close()
    await (sim as SimNetwork | undefined)?.close()
  })

  for (const flag of ['--version', '--help']) {
    it(`${flag} opens no native addon and loads only the command line`, async () => {
      const loads = recordLoads()
      const result = await runCli([flag], loads.env)
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(flag === '--version' ? PEERKEEPER_VERSION : 'peerkeeper run')
      const seen = loads.read()
      expect(seen.addons).toEqual([])
      expect(loadedPackages(seen).filter((p) => HEAVY.includes(p))).toEqual([])
      expect(seen.modules.filter((url) => url.includes('/dist/src/') && !url.includes('/dist/src/cli/'))).toEqual(
        seen.modules.filter((url) => /\/dist\/src\/(version|util\/errors)\.js$/.test(url)))
    })
  }

  it('run with --nodnsseed, IP peers, no proxy and --nov2transport loads no DNS code, no socks, simulator, metrics or BIP324 code', async () => {
    const loads = recordLoads()
    const home = tempDir('startup')
    const node = startNodeProcess(['--chainparams', writeLocalChainParams(sim.port, home), '--datadir', `${home}/data`, '--nodnsseed', '--nolisten',
      '--connect', `${sim.peer(0).addr.host}:${sim.port}`, '--nov2transport'], { HOME: home, ...loads.env })
    await node.waitFor('outbound_connected')
    node.child.kill('SIGTERM')
    expect(await node.exited).toEqual({ code: 0, signal: null })
    const seen = loads.read()
    expect(seen.addons.some((a) => a.includes('classic-level'))).toBe(true)
    const packages = loadedPackages(seen)
    expect(packages).toContain('winston')
    expect(packages.filter((p) => ['dns2', 'socks', 'prom-client', '@noble/curves'].includes(p))).toEqual([])
    expect(seen.modules.filter((url) => /\/dist\/src\/(sim|metrics|bip324|discovery\/(dns-|name-resolver|tor-))/.test(url))).toEqual([])
  })

  it('with v2 on (the default), BIP324 and its secp256k1 library are loaded at start, before the first session', async () => {
    const loads = recordLoads()
    const home = tempDir('startup-v2')
    const node = startNodeProcess(['--chainparams', writeLocalChainParams(sim.port, home), '--datadir', `${home}/data`, '--nodnsseed', '--nolisten',
      '--connect', `${sim.peer(0).addr.host}:${sim.port}`], { HOME: home, ...loads.env })
    await node.waitFor('outbound_connected')
    node.child.kill('SIGTERM')
    expect(await node.exited).toEqual({ code: 0, signal: null })
    const seen = loads.read()
    expect(loadedPackages(seen)).toContain('@noble/curves')
    expect(seen.modules.some((url) => url.includes('/dist/src/bip324/'))).toBe(true)
  })

  it('keeps the JSON log one JSON object per line while Node warns, with 12 DNS seeds on one signal', async () => {
    const home = tempDir('warn')
    const seeds = Array.from({ length: 12 }, (_, i) => `seed-${i}.test`)
    const node = startNodeProcess(['--chainparams', writeLocalChainParams(sim.port, home, seeds), '--datadir', `${home}/data`, '--nolisten',
      '--dnsserver', `127.0.0.1:${dns.port}`], { HOME: home, NODE_OPTIONS: preloadOptions('warn-on-sigusr2.mjs') })
    await node.waitFor('dns_seeded')
    node.child.kill('SIGUSR2')
    const warning = await node.waitFor('process_warning')
    expect(warning).toMatchObject({ subsystem: 'NODE', level: 'warn', code: 'PK_TEST_WARNING', message: expect.stringContaining('a warning raised by the test') as unknown })
    node.child.kill('SIGTERM')
    expect(await node.exited).toEqual({ code: 0, signal: null })
    expect(node.otherLines).toEqual([])
    // The seeds share one shutdown signal: it no longer collects a listener per seed.
    expect(node.events('process_warning').filter((r) => r.name === 'MaxListenersExceededWarning')).toEqual([])
  })
})
