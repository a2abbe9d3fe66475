import { afterEach, describe, expect, it } from 'vitest'
import { addrKey, type NetAddress } from '../../src/netaddr/netaddress.ts'
import { buildNodeConfig } from '../../src/cli/node-config.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import { createNode } from '../../src/node/node.ts'
import { Peer } from '../../src/peer/peer.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import type { SimPeerSpecs } from '../../src/sim/profiles.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { honestInboundPeer } from '../helpers/inbound-client.ts'
import { recordingEvents } from '../helpers/recording-events.ts'
import { FAST_TIMING as FAST, startInProcessNode, type InProcessNode } from '../helpers/in-process-node.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The node in-process against the simulator on 127.0.0.0/8, with real sockets and a real LevelDB.
// Waits are on the node's own log events, bounded; nothing sleeps.

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function simNetwork (peers: SimPeerSpecs): Promise<SimNetwork> {
  const sim = await startSimNetwork({ peers, port: 0, seed: 7 })
  cleanup.push(async () => { await sim.close() })
  return sim
}

const runNode = async (sim: SimNetwork, options: RunOptions, datadir: string): Promise<InProcessNode> => await startInProcessNode(sim, options, datadir, cleanup)

const isAuto = (f: Record<string, unknown>): boolean => f.permanent === false

describe('Node', () => {
  it('fills the outbound target from addresses a permanent peer gossips, and marks them good', async () => {
    const sim = await simNetwork({ live: 6 })
    const [first] = sim.addresses()
    const { node, log } = await runNode(sim, { addpeer: [addrKey(first as NetAddress)], targetoutbound: 3 }, tempDir('node'))
    await log.waitUntil('3 automatic outbound peers', () => node.status()?.outbound === 3)
    const status = node.status()
    expect(status).toMatchObject({ outbound: 3, targetOutbound: 3, permanentUp: 1, permanentTotal: 1, inbound: 0 })
    expect(status?.addressesTried).toBeGreaterThanOrEqual(3)
    // Automatic peers are all in different groups, and none is the permanent peer.
    const autoAddrs = log.events('outbound_connected').filter((r) => isAuto(r.fields)).map((r) => r.fields.addr)
    expect(new Set(autoAddrs).size).toBe(autoAddrs.length)
    expect(autoAddrs).not.toContain(addrKey(first as NetAddress))
    node.logStatus()
    expect(log.events('status').at(-1)?.message).toMatch(/^outbound 3\/3, block-relay \d\/\d, permanent 1\/1, v2 \d+, addresses \d+ new \/ \d+ tried, bans 0$/)
  })

  it('reconnects a permanent peer that went away, with backoff, once it is back', async () => {
    const sim = await simNetwork({ live: 2 })
    const { node, log } = await runNode(sim, { connect: [addrKey(sim.peer(0).addr)] }, tempDir('node'))
    await log.waitFor('outbound_connected', (f) => f.permanent === true)
    await sim.stopPeer(0)
    await log.waitFor('retry_scheduled', (f) => f.permanent === true && (f.retryCount as number) >= 2)
    expect(node.status()?.permanentUp).toBe(0)
    await sim.restartPeer(0)
    await log.waitUntil('permanent peer back', () => log.events('outbound_connected').length === 2)
    expect(node.status()).toMatchObject({ permanentUp: 1, permanentTotal: 1, outbound: 0, targetOutbound: 0 })
  })

  it('bans a misbehaving peer, never dials it again, and keeps the ban and anchors across a restart', async () => {
    const sim = await simNetwork([{ profile: 'live' }, { profile: 'live' }, { profile: 'live' }, { profile: 'misbehaving', misbehaviour: 'oversized' }])
    const bad = sim.peer(3).addr
    const datadir = tempDir('node')
    const first = await runNode(sim, { addpeer: [addrKey(sim.peer(0).addr)], targetoutbound: 3, blockrelayonly: 0, banduration: '1h' }, datadir)
    await first.log.waitFor('ban_recorded', (f) => f.addr === addrKey(bad))
    await first.log.waitUntil('2 automatic peers', () => first.node.status()?.outbound === 2)
    expect(first.node.banList?.isBanned(bad.host)).toBe(true)
    const dialsBefore = sim.stats(3).connectionsAccepted
    expect(dialsBefore).toBe(1)
    await first.node.stop()
    expect(first.log.events('anchors_saved').at(-1)?.fields.count).toBe(2)

    const second = await runNode(sim, { addpeer: [addrKey(sim.peer(0).addr)], targetoutbound: 3, blockrelayonly: 0, banduration: '1h' }, datadir)
    expect(second.node.banList?.isBanned(bad.host)).toBe(true)
    expect(second.log.events('anchor_dial')).toHaveLength(2)
    await second.log.waitUntil('2 automatic peers again', () => second.node.status()?.outbound === 2)
    // The third slot keeps asking for an address; the banned one is never handed out.
    await second.log.waitFor('address_unavailable')
    expect(sim.stats(3).connectionsAccepted).toBe(dialsBefore)
    expect(second.log.events('outbound_connected').map((r) => r.fields.addr)).not.toContain(addrKey(bad))
  })

  it('writes and acknowledges a ban made while the node stops', async () => {
    const sim = await simNetwork({ live: 2 })
    const datadir = tempDir('node')
    const { node, log } = await runNode(sim, { targetoutbound: 0, addpeer: [addrKey(sim.peer(0).addr)] }, datadir)
    await log.waitFor('outbound_connected')
    const banList = node.banList
    // The anchors are saved first at stop, while the sessions are still open: a peer can still earn a ban then.
    node.events.on('anchors_saved', (p) => { if (p.reason === 'stop') banList?.ban('127.99.0.1', { reason: 'during stop' }) })
    await node.stop()
    expect(log.events('bans_saved').at(-1)?.fields.count).toBe(1)
    const snapshot = await NodeStore.readSnapshot(datadir, { clock: systemClock })
    expect(snapshot.bans.map((b) => b.target)).toEqual(['127.99.0.1'])
  })

  it('resolves permanent peer names through the resolver and retries a name that does not resolve', async () => {
    const sim = await simNetwork({ live: 1 })
    const config = buildNodeConfig({ chainparams: writeLocalChainParams(sim.port, tempDir('params')), nodnsseed: true, nolisten: true, norpc: true, datadir: tempDir('node'), connect: [`peer.test:${sim.port}`, 'missing.test'] })
    const log = recordingEvents()
    const asked: string[] = []
    const resolver = { resolve: async (host: string) => { asked.push(host); if (host === 'peer.test') return [sim.peer(0).addr.host]; throw new Error('NXDOMAIN') } }
    const node = createNode(config, { resolver, timing: FAST })
    log.attach(node.events)
    cleanup.push(async () => { await node.stop() })
    await node.start()
    const connected = await log.waitFor('outbound_connected')
    expect(connected.fields).toMatchObject({ addr: addrKey(sim.peer(0).addr), permanent: true })
    expect((await log.waitFor('permanent_unresolved')).fields).toMatchObject({ addr: `missing.test:${sim.port}`, reason: 'NXDOMAIN', permanent: true })
    expect(asked.sort()).toEqual(['missing.test', 'peer.test'])
    expect(node.status()).toMatchObject({ permanentUp: 1, permanentTotal: 2 })
  })

  it('asks a --seednode for addresses when the book is empty, leaves it, and fills the target from them', async () => {
    const sim = await simNetwork({ live: 4 })
    const { node, log } = await runNode(sim, { seednode: [addrKey(sim.peer(0).addr)], targetoutbound: 2 }, tempDir('node'))
    expect(log.events('seeding_started').map((r) => r.fields.reason)).toEqual(['empty_book'])
    const fetched = await log.waitFor('seednode_fetched')
    expect(fetched.fields.count as number).toBeGreaterThan(1)
    await log.waitFor('peer_disconnected', (f) => f.addr === addrKey(sim.peer(0).addr) && f.reason === 'address fetch done')
    await log.waitUntil('2 automatic peers', () => node.status()?.outbound === 2)
  })

  it('saves the address book at a clean stop', async () => {
    const sim = await simNetwork({ live: 4 })
    const datadir = tempDir('node')
    const { node, log } = await runNode(sim, { addpeer: [addrKey(sim.peer(0).addr)], targetoutbound: 2, blockrelayonly: 0 }, datadir)
    await log.waitUntil('2 automatic peers', () => node.status()?.outbound === 2)
    const book = node.book
    await node.stop()
    // Read after the stop: gossip still arriving before it (the permanent peer's, say) is saved too.
    const size = book?.size()
    const store = await NodeStore.open(datadir, { clock: systemClock }, { consumeAnchors: false })
    try {
      const contents = store.takeContents()
      expect(contents.addrRecords.length).toBe((size?.new ?? 0) + (size?.tried ?? 0))
      expect(contents.addrRecords.filter((r) => r.tried).length).toBeGreaterThanOrEqual(2)
      expect(contents.anchors).toHaveLength(2)
    } finally {
      await store.close()
    }
  })

  it('accepts inbound peers on --listen and refuses banned ones before the handshake', async () => {
    const sim = await simNetwork({ live: 1 })
    const port = await refusedPort()
    const { node, log } = await runNode(sim, { listen: [`127.0.0.1:${port}`], nolisten: undefined, targetoutbound: 0, maxpeers: 4 }, tempDir('node'))
    const params = node.config.params
    const client = (host: string): Peer => honestInboundPeer(port, host, params)
    const good = client('127.0.9.1')
    await good.handshake()
    await log.waitFor('inbound_connected', (f) => (f.addr as string).startsWith('127.0.9.1:'))
    expect(node.status()).toMatchObject({ inbound: 1, maxInbound: 4, listening: true })
    node.logStatus()
    expect(log.events('status').at(-1)?.message).toMatch(/^outbound 0\/0, permanent 0\/0, inbound 1\/4, v2 0, addresses/)
    good.close('test done')

    node.banList?.ban('127.0.9.2', { reason: 'test' })
    const banned = client('127.0.9.2')
    await expect(banned.handshake()).rejects.toThrow()
    expect((await log.waitFor('inbound_rejected')).fields).toMatchObject({ reason: 'banned', direction: 'inbound' })
  })
})
