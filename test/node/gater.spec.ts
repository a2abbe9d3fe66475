import { afterEach, describe, expect, it } from 'vitest'
import { deny, type ConnectionGater } from '../../src/gater/gater.ts'
import { addrKey, type NetAddress } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import type { SimPeerSpecs } from '../../src/sim/profiles.ts'
import type { ConnectionKind } from '../../src/registry/types.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { honestInboundPeer } from '../helpers/inbound-client.ts'
import { startInProcessNode } from '../helpers/in-process-node.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The connection gater at node level: real sockets against the simulator, a real LevelDB.

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function simNetwork (peers: SimPeerSpecs): Promise<SimNetwork> {
  const sim = await startSimNetwork({ peers, port: 0, seed: 11 })
  cleanup.push(async () => { await sim.close() })
  return sim
}

/** A gater that records every question and refuses what `refuse` names; otherwise the node's default decides. */
function recordingGater (refuse: (host: string) => boolean): { make: (d: { fallback: ConnectionGater }) => ConnectionGater, dials: Array<[string, ConnectionKind]>, accepts: string[], handshakes: number[] } {
  const dials: Array<[string, ConnectionKind]> = []
  const accepts: string[] = []
  const handshakes: number[] = []
  return {
    dials,
    accepts,
    handshakes,
    make: ({ fallback }) => ({
      interceptAddrDial: (addr: NetAddress, kind: ConnectionKind) => {
        dials.push([addrKey(addr), kind])
        return refuse(addr.host) ? deny('not on my list') : fallback.interceptAddrDial(addr, kind)
      },
      interceptAccept: (remote: NetAddress) => {
        accepts.push(remote.host)
        return refuse(remote.host) ? deny('not on my list') : fallback.interceptAccept(remote)
      },
      interceptHandshake: (conn, version) => {
        handshakes.push(conn.id)
        return fallback.interceptHandshake(conn, version)
      }
    })
  }
}

describe('Node and its connection gater', () => {
  it('asks a custom gater once per dial, which can refuse an address; refused addresses are never dialed', async () => {
    const sim = await simNetwork({ live: 6 })
    const refused = sim.peer(2).addr
    const gater = recordingGater((host) => host === refused.host)
    const { node, log } = await startInProcessNode(sim, { addpeer: [addrKey(sim.peer(0).addr)], targetoutbound: 4 }, tempDir('node'), cleanup, { gater: gater.make })
    await log.waitUntil('4 automatic outbound peers', () => node.status()?.outbound === 4)
    await node.stop()
    // One question per dial: the dials the manager started are exactly the gater's questions.
    const dialed = log.events('dial_failed').length + log.events('outbound_connected').length
    expect(gater.dials.length).toBe(dialed)
    expect(gater.dials).toContainEqual([addrKey(sim.peer(0).addr), 'manual'])
    expect(sim.stats(2).connectionsAccepted).toBe(0)
    const refusals = log.events('dial_failed').filter((r) => r.fields.addr === addrKey(refused))
    for (const r of refusals) expect(r.fields.reason).toMatch(/refused by the connection gater: not on my list/)
    // Every handshaken outbound connection was shown to the handshake hook once.
    expect(new Set(gater.handshakes).size).toBe(gater.handshakes.length)
    expect(gater.handshakes.length).toBe(log.events('peer_handshake').length)
  })

  it('asks once per accepted socket, before a slot is taken: a refused peer holds no slot', async () => {
    const sim = await simNetwork({ live: 1 })
    const port = await refusedPort()
    const gater = recordingGater((host) => host === '127.0.8.1')
    const { node, log } = await startInProcessNode(sim, { listen: [`127.0.0.1:${port}`], nolisten: undefined, targetoutbound: 0, maxpeers: 1 }, tempDir('node'), cleanup, { gater: gater.make })
    const params = node.config.params
    const refusedPeer = honestInboundPeer(port, '127.0.8.1', params)
    await expect(refusedPeer.handshake()).rejects.toThrow()
    expect((await log.waitFor('inbound_rejected')).fields).toMatchObject({ addr: expect.stringMatching(/^127\.0\.8\.1:/), reason: 'denied', detail: 'not on my list' })
    // maxpeers 1 leaves one inbound slot: the refused socket did not take it.
    const good = honestInboundPeer(port, '127.0.8.2', params)
    await good.handshake()
    await log.waitFor('inbound_connected')
    expect(gater.accepts).toEqual(['127.0.8.1', '127.0.8.2'])
    expect(node.registry?.count('inbound')).toEqual({ total: 1, established: 1 })
    good.close('test done')
  })

  it('a ban added to the running node drops the live connections it covers at once', async () => {
    const sim = await simNetwork({ live: 3 })
    // v1 only: the v2 attempts these v1-only sim peers would close are not what this test watches.
    const { node, log } = await startInProcessNode(sim, { targetoutbound: 0, nov2transport: true, connect: [addrKey(sim.peer(0).addr), addrKey(sim.peer(1).addr)] }, tempDir('node'), cleanup)
    await log.waitUntil('2 permanent peers', () => node.status()?.permanentUp === 2)
    const victim = sim.peer(1).addr
    node.banList?.ban(`${victim.host}/32`, { reason: 'operator' })
    const dropped = await log.waitFor('peer_disconnected', (f) => f.addr === addrKey(victim))
    expect(dropped.fields.reason).toBe('banned: operator')
    expect(node.registry?.all().map((c) => c.key)).toEqual([addrKey(sim.peer(0).addr)])
  })
})
