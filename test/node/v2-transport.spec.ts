import { once } from 'node:events'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { addrKey, type NetAddress } from '../../src/netaddr/netaddress.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import type { SimPeerSpecs } from '../../src/sim/profiles.ts'
import { systemClock } from '../../src/util/clock.ts'
import { systemRandom } from '../../src/util/random.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { NODE_NETWORK, NODE_P2P_V2 } from '../../src/wire/services.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { startInProcessNode, type InProcessNode } from '../helpers/in-process-node.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// BIP324 between real nodes: in-process nodes, real sockets on 127.0.0.0/8, real LevelDB; waits are on events.

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function simNetwork (peers: SimPeerSpecs, v2 = false): Promise<SimNetwork> {
  const sim = await startSimNetwork({ peers, port: 0, seed: 11, v2 })
  cleanup.push(async () => { await sim.close() })
  return sim
}

/** A TCP relay in front of `target` that keeps every byte it forwards, both ways. */
async function capturingRelay (target: { host: string, port: number }): Promise<{ port: number, bytes: () => Buffer }> {
  const chunks: Buffer[] = []
  const sockets: Socket[] = []
  const server: Server = createServer((client) => {
    const upstream = connect(target)
    sockets.push(client, upstream)
    client.on('data', (c: Buffer) => { chunks.push(c); upstream.write(c) })
    upstream.on('data', (c: Buffer) => { chunks.push(c); client.write(c) })
    const end = (): void => { client.destroy(); upstream.destroy() }
    client.on('close', end).on('error', end)
    upstream.on('close', end).on('error', end)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanup.push(async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  })
  return { port: (server.address() as { port: number }).port, bytes: () => Buffer.concat(chunks) }
}

function listenPort (n: InProcessNode): number {
  const [addr] = n.node.parts?.listener.addresses() ?? []
  return Number(addr?.split(':').at(-1))
}

const handshakes = (n: InProcessNode, direction: string): Array<Record<string, unknown>> =>
  n.log.events('peer_handshake').map((r) => r.fields).filter((f) => f.direction === direction)

describe('BIP324 v2 transport between nodes', () => {
  it('two peerkeeper nodes talk v2: the bytes on the wire hold neither the magic nor any message type', async () => {
    const sim = await simNetwork({ live: 1 })
    const b = await startInProcessNode(sim, { listen: [`127.0.0.1:${await refusedPort()}`], nolisten: undefined, targetoutbound: 0 }, tempDir('v2-b'), cleanup)
    const relay = await capturingRelay({ host: '127.0.0.1', port: listenPort(b) })
    const a = await startInProcessNode(sim, { connect: [`127.0.0.1:${relay.port}`] }, tempDir('v2-a'), cleanup)
    // Established both ways, and each side has had the other's first ping answered (pings follow the handshake).
    await a.log.waitFor('peer_handshake', (f) => f.transport === 'v2')
    await b.log.waitFor('peer_handshake', (f) => f.transport === 'v2' && f.direction === 'inbound')
    const [outbound] = a.node.parts?.registry.all() ?? []
    const [inbound] = b.node.parts?.registry.all() ?? []
    await new Promise<void>((resolve) => { outbound?.session.once('pong', () => { resolve() }) })
    // A peerkeeper node serves no blocks; the manual connection is exempt from the service rule.
    expect(handshakes(a, 'outbound')[0]).toMatchObject({ services: `0x${NODE_P2P_V2.toString(16)}`, permanent: true })
    expect(outbound?.handshake?.sessionId).toMatch(/^[0-9a-f]{64}$/)
    expect(outbound?.handshake?.sessionId).toBe(inbound?.handshake?.sessionId)
    expect(a.node.status()).toMatchObject({ permanentUp: 1, v2: 1 })
    expect(b.node.status()).toMatchObject({ inbound: 1, v2: 1 })

    const wire = relay.bytes()
    expect(wire.length).toBeGreaterThan(64 + 64) // both keys at least
    expect(wire.includes(Buffer.from(sim.params.magic))).toBe(false)
    // Every command these sessions exchange; shorter ones (tx, inv) would match random ciphertext by chance.
    for (const command of ['version', 'verack', 'wtxidrelay', 'sendaddrv2', 'ping', 'pong', 'getaddr', 'addr']) {
      expect(wire.includes(Buffer.from(command, 'ascii')), command).toBe(false)
    }
  })

  it('serves inbound v1 and v2 on one listener, detected from the first bytes', async () => {
    const sim = await simNetwork({ live: 1 })
    const b = await startInProcessNode(sim, { listen: [`127.0.0.1:${await refusedPort()}`], nolisten: undefined, targetoutbound: 0 }, tempDir('v2-listener'), cleanup)
    const port = listenPort(b)
    const dial = async (transport: 'v1' | 'v2'): Promise<Peer> => {
      const socket = connect({ host: '127.0.0.1', port })
      await once(socket, 'connect')
      const peer = new Peer(socket, { clock: systemClock, random: systemRandom, logger: nullLogger }, {
        id: transport === 'v1' ? 1 : 2, direction: 'outbound', addr: { network: 'ipv4', host: '127.0.0.1', port }, params: sim.params,
        nonces: new NonceRegistry(systemRandom), transport, permanent: true
      })
      cleanup.push(async () => { peer.close('test over') })
      await peer.handshake()
      return peer
    }
    const [v1, v2] = await Promise.all([dial('v1'), dial('v2')])
    expect(v1.info?.transport).toBe('v1')
    expect(v2.info?.transport).toBe('v2')
    await b.log.waitUntil('two inbound handshakes', () => handshakes(b, 'inbound').length === 2)
    expect(handshakes(b, 'inbound').map((f) => f.transport).sort()).toEqual(['v1', 'v2'])
    expect(b.node.status()).toMatchObject({ inbound: 2, v2: 1 })
  })

  it('falls back to v1 once, within one dial, when a v1-only peer closes on our key', async () => {
    const sim = await simNetwork({ live: 1 })
    const peer = sim.peer(0).addr
    const { node, log } = await startInProcessNode(sim, { connect: [addrKey(peer)] }, tempDir('v2-fallback'), cleanup)
    await log.waitFor('outbound_connected')
    expect(log.events('transport_fallback').map((r) => r.fields)).toEqual([{ addr: addrKey(peer), id: expect.any(Number) }])
    expect(handshakes({ node, log }, 'outbound').map((f) => f.transport)).toEqual(['v1'])
    // The manager saw one attempt that succeeded: no failure, one connection.
    expect(log.events('dial_failed')).toEqual([])
    expect(log.events('outbound_connected')).toHaveLength(1)
    // The sim peer saw two TCP connections (the v2 key it dropped, then v1).
    expect(sim.stats(0)).toMatchObject({ connectionsAccepted: 2 })
    expect(node.status()).toMatchObject({ permanentUp: 1, v2: 0 })
  })

  it('with --nov2transport: v1 to everyone, NODE_P2P_V2 not advertised, no fallback', async () => {
    const sim = await simNetwork({ live: 1 }, true)
    const { log } = await startInProcessNode(sim, { connect: [addrKey(sim.peer(0).addr)], nov2transport: true }, tempDir('v2-off'), cleanup)
    await log.waitFor('outbound_connected')
    expect(log.events('transport_fallback')).toEqual([])
    expect(sim.stats(0)).toMatchObject({ connectionsAccepted: 1 })
    expect(log.events('peer_handshake')[0]?.fields.transport).toBe('v1')
  })

  it('dials v2 to a gossiped NODE_P2P_V2 address; remembers a v1 fallback across a restart (real LevelDB)', async () => {
    const sim = await simNetwork([{ profile: 'live', v2: true }, { profile: 'live' }])
    const v2Peer = sim.peer(0).addr
    const v1Peer = sim.peer(1).addr
    const datadir = tempDir('v2-restart')
    const now = Math.floor(Date.now() / 1000)
    // Both advertised as v2-capable, as gossip may say of a node that has since stopped speaking v2.
    const book = (addr: NetAddress): Array<{ addr: NetAddress, services: bigint, time: number }> => [{ addr, services: NODE_NETWORK | NODE_P2P_V2, time: now }]
    const first = await startInProcessNode(sim, { targetoutbound: 2 }, datadir, cleanup)
    first.node.parts?.book.add([...book(v2Peer), ...book(v1Peer)], undefined)
    await first.log.waitUntil('2 outbound', () => first.node.status()?.outbound === 2)
    const byAddr = (n: InProcessNode): Record<string, unknown> => Object.fromEntries(handshakes(n, 'outbound').map((f) => [f.addr, f.transport]))
    expect(byAddr(first)).toEqual({ [addrKey(v2Peer)]: 'v2', [addrKey(v1Peer)]: 'v1' })
    expect(first.log.events('transport_fallback').map((r) => r.fields.addr)).toEqual([addrKey(v1Peer)])
    expect(first.node.book?.get(v1Peer)?.v1Only).toBe(true)
    expect(first.node.book?.get(v2Peer)?.v1Only).toBe(false)
    await first.node.stop()

    const acceptedBefore = sim.stats(1).connectionsAccepted
    const second = await startInProcessNode(sim, { targetoutbound: 2 }, datadir, cleanup)
    await second.log.waitUntil('2 outbound', () => second.node.status()?.outbound === 2)
    expect(byAddr(second)).toEqual({ [addrKey(v2Peer)]: 'v2', [addrKey(v1Peer)]: 'v1' })
    expect(second.log.events('transport_fallback')).toEqual([])
    expect(sim.stats(1).connectionsAccepted - acceptedBefore).toBe(1)
    expect(second.node.status()).toMatchObject({ outbound: 2, v2: 1 })
  })
})
