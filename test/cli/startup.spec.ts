import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadChainParams } from '../../src/chainparams/chainparams.ts'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { loadV2Transport } from '../../src/peer/transport.ts'
import { startDnsSeedServer, type DnsSeedServer } from '../../src/sim/dns-seed-server.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { PEERKEEPER_VERSION } from '../../src/version.ts'
import { ensureBuiltCli, runCli } from '../helpers/cli.ts'
import { honestInboundPeer } from '../helpers/inbound-client.ts'
import { loadedPackages, preloadOptions, recordLoads } from '../helpers/loads.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { startNodeProcess } from '../helpers/node-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// What the built CLI loads for each command (recorded by a preload in the child process), and that its
// JSON log stays JSON line by line whatever Node warns about.

/** Packages only some commands or flags need; none of them may load for --version or --help. */
const HEAVY = ['level', 'classic-level', 'winston', 'dns2', 'socks', 'prom-client', '@noble/curves']
/** BIP324's ciphers and session (what secp256k1 comes with); v1/v2 detection and the error classes are small and always there. */
const isBip324Core = (url: string): boolean => /\/dist\/src\/bip324\/(?!detect\.js$|errors\.js$)/.test(url)
/** A DNS seed answering the two v1 sim peers; sim peer 2 speaks v2. */
const V1_SEED = 'v1-peers.test'
const V2_PEER = 2

describe('start-up of the built CLI', () => {
  let sim: SimNetwork
  let dns: DnsSeedServer

  beforeAll(async () => {
    await ensureBuiltCli()
    sim = await startSimNetwork({ peers: [{ profile: 'live' }, { profile: 'live' }, { profile: 'live', v2: true }], port: 0, seed: 5 })
    dns = await startDnsSeedServer({ records: { [V1_SEED]: { a: [sim.peer(0).addr.host, sim.peer(1).addr.host] } } })
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

  it('run with --nodnsseed, IP peers, no proxy and --nov2transport loads no DNS code, no socks, simulator, metrics, status page or BIP324 code', async () => {
    const loads = recordLoads()
    const home = tempDir('startup')
    const node = startNodeProcess(['--chainparams', writeLocalChainParams(sim.port, home), '--datadir', `${home}/data`, '--nodnsseed', '--nolisten',
      '--connect', `${sim.peer(0).addr.host}:${sim.port}`, '--nov2transport'], { HOME: home, ...loads.env })
    await node.waitFor('outbound_connected')
    node.child.kill('SIGTERM')
    expect(await node.exited).toEqual({ code: 0, signal: null })
    const seen = loads.read()
    expect(seen.addons.some((a) => a.includes('classic-level'))).toBe(true)
    // run keeps V8's semi-spaces at their initial 1 MiB (left alone, loading the modules doubles them to 4+ MiB).
    expect(seen.newSpaceBytes).toBeLessThanOrEqual(2 * 2 ** 20)
    const packages = loadedPackages(seen)
    expect(packages).toContain('winston')
    // A command line that parses is read by yargs' parser alone: yargs (its help layout, cliui) never loads.
    expect(packages).toContain('yargs-parser')
    expect(packages.filter((p) => ['yargs', 'cliui'].includes(p))).toEqual([])
    expect(packages.filter((p) => ['dns2', 'socks', 'prom-client', '@noble/curves'].includes(p))).toEqual([])
    expect(seen.modules.filter((url) => isBip324Core(url) || /\/dist\/src\/(sim|metrics|status\/(?!(binds|errors)\.js$)|discovery\/(dns-|name-resolver|tor-))/.test(url))).toEqual([])
  })

  it('with --statuslisten, the status page loads at start and answers', async () => {
    const home = tempDir('startup-status')
    const port = await refusedPort()
    const node = startNodeProcess(['--chainparams', writeLocalChainParams(sim.port, home), '--datadir', `${home}/data`, '--nodnsseed', '--nolisten',
      '--targetoutbound', '0', '--statuslisten', `127.0.0.1:${port}`], { HOME: home })
    await node.waitFor('node_started')
    const reply = await fetch(`http://127.0.0.1:${port}/api/snapshot`)
    expect(reply.status).toBe(200)
    expect(await reply.json()).toHaveProperty('outbound')
    node.child.kill('SIGTERM')
    expect(await node.exited).toEqual({ code: 0, signal: null })
  })

  it('with v2 on (the default) and listening, a node whose peers speak v1 never loads BIP324\'s ciphers or secp256k1', async () => {
    const loads = recordLoads()
    const home = tempDir('startup-v1-peers')
    const port = await refusedPort()
    const chainparams = writeLocalChainParams(sim.port, home, [V1_SEED])
    const node = startNodeProcess(['--chainparams', chainparams, '--datadir', `${home}/data`, '--dnsserver', `127.0.0.1:${dns.port}`,
      '--listen', `127.0.0.1:${port}`, '--targetoutbound', '2', '--debuglevel', 'info,PEER=debug'], { HOME: home, ...loads.env })
    await node.waitFor('outbound_connected')
    // An inbound v1 peer is told from v2 by its first bytes, without BIP324.
    const inbound = honestInboundPeer(port, '127.0.0.1', loadChainParams(chainparams))
    await inbound.handshake()
    inbound.close('test done')
    node.child.kill('SIGTERM')
    expect(await node.exited).toEqual({ code: 0, signal: null })
    expect(node.events('peer_handshake').map((r) => r.transport)).not.toContain('v2')
    const seen = loads.read()
    expect(loadedPackages(seen)).not.toContain('@noble/curves')
    expect(seen.modules.filter(isBip324Core)).toEqual([])
    // Seeding writes and reads its DNS messages itself: dns2 (whose index pulls in TLS, HTTPS, HTTP/2) never loads.
    expect(node.events('dns_seeded').length).toBeGreaterThan(0)
    expect(loadedPackages(seen)).not.toContain('dns2')
  })

  it('with v2 on, BIP324 loads at the first v2 peer: one that connects right after start completes its v2 handshake', async () => {
    const loads = recordLoads()
    const home = tempDir('startup-v2-inbound')
    const port = await refusedPort()
    const chainparams = writeLocalChainParams(sim.port, home)
    const node = startNodeProcess(['--chainparams', chainparams, '--datadir', `${home}/data`, '--nodnsseed',
      '--listen', `127.0.0.1:${port}`, '--targetoutbound', '0', '--debuglevel', 'info,PEER=debug'], { HOME: home, ...loads.env })
    await node.waitFor('node_started')
    await loadV2Transport()
    const inbound = honestInboundPeer(port, '127.0.0.1', loadChainParams(chainparams), 'v2')
    const info = await inbound.handshake()
    expect(info.transport).toBe('v2')
    expect(await node.waitFor('peer_handshake')).toMatchObject({ direction: 'inbound', transport: 'v2' })
    inbound.close('test done')
    node.child.kill('SIGTERM')
    expect(await node.exited).toEqual({ code: 0, signal: null })
    const seen = loads.read()
    expect(loadedPackages(seen)).toContain('@noble/curves')
    expect(seen.modules.some(isBip324Core)).toBe(true)
  })

  it('with v2 on, the first outbound v2 dial loads BIP324 while it connects, and its handshake is v2', async () => {
    const home = tempDir('startup-v2-outbound')
    const node = startNodeProcess(['--chainparams', writeLocalChainParams(sim.port, home), '--datadir', `${home}/data`, '--nodnsseed', '--nolisten',
      '--connect', addrKey(sim.peer(V2_PEER).addr), '--debuglevel', 'info,PEER=debug'], { HOME: home })
    expect(await node.waitFor('peer_handshake')).toMatchObject({ direction: 'outbound', transport: 'v2' })
    node.child.kill('SIGTERM')
    expect(await node.exited).toEqual({ code: 0, signal: null })
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
