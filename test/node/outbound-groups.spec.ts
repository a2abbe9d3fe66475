import { afterEach, describe, expect, it } from 'vitest'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import type { SimPeerSpec } from '../../src/sim/profiles.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { startInProcessNode } from '../helpers/in-process-node.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The node in-process against a simulated network where peers share /16 groups two by two: automatic
// outbound peers must come from distinct groups, counting dials still in flight, not only handshakes.

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const PEERS_PER_GROUP = 2
const GROUPS = 4
const TARGET = GROUPS

/** 127.A.x.x: the /16 a sim host is in. */
const slash16 = (host: string): string => host.split('.').slice(0, 2).join('.')

describe('automatic outbound peers on a network with several peers per group', () => {
  it('come from distinct groups, dials in flight included', async () => {
    // 8 slow peers (2 s to answer the version, so dials overlap), two per /16, and a fast --seednode
    // in a group of its own that tells the node about them.
    const specs: SimPeerSpec[] = [...Array.from({ length: GROUPS * PEERS_PER_GROUP }, () => ({ profile: 'slow' as const })), { profile: 'live' }]
    const sim: SimNetwork = await startSimNetwork({ peers: specs, port: 0, seed: 7, peersPerGroup: PEERS_PER_GROUP })
    cleanup.push(async () => { await sim.close() })
    const seednode = sim.peer(GROUPS * PEERS_PER_GROUP).addr
    expect(new Set(sim.peers.map((p) => slash16(p.addr.host))).size).toBe(GROUPS + 1)

    // Open connections per group, as the simulated hosts see them: accepted until closed.
    const open = new Map<string, number>()
    let worst = 0
    let mostInFlight = 0
    const change = (host: string, delta: number): void => {
      if (host === seednode.host) return
      const group = slash16(host)
      open.set(group, (open.get(group) ?? 0) + delta)
      worst = Math.max(worst, open.get(group) ?? 0)
      mostInFlight = Math.max(mostInFlight, [...open.values()].reduce((a, b) => a + b, 0))
    }
    sim.on('accepted', (p) => { change(p.addr.host, 1) })
    sim.on('closed', (p) => { change(p.addr.host, -1) })

    const { node, log } = await startInProcessNode(sim, { seednode: [addrKey(seednode)], targetoutbound: TARGET }, tempDir('node'), cleanup)
    await log.waitUntil(`${TARGET} automatic outbound peers`, () => node.status()?.outbound === TARGET)

    expect(worst).toBe(1) // never two connections into one group at once, handshaken or not
    expect(mostInFlight).toBeGreaterThanOrEqual(2) // dials did overlap before their handshakes finished
    const connected = log.events('outbound_connected').filter((r) => r.fields.permanent === false).map((r) => slash16(String(r.fields.addr)))
    expect(new Set(connected).size).toBe(connected.length)
  })
})
