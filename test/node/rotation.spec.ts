import { afterEach, describe, expect, it } from 'vitest'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { FAST_TIMING, startInProcessNode } from '../helpers/in-process-node.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The node in-process over real TCP against simulated peers: once an automatic peer has left on its own,
// the rotation closes the longest-held automatic peer (reason `rotated`) and the normal pick refills the slot.

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const TARGET = 2
const auto = (fields: Record<string, unknown>): boolean => fields.permanent === false

describe('rotation of automatic outbound peers (real TCP)', () => {
  it('rotates nothing while no peer leaves, then rotates out the longest-held peer and refills the slot', async () => {
    const sim: SimNetwork = await startSimNetwork({ peers: { live: 6 }, port: 0, seed: 11 })
    cleanup.push(async () => { await sim.close() })
    const seednode = sim.peer(5).addr
    // No spacing or tenure: the churn seen in a test's first second is all the rotation has to go on.
    const { node, log } = await startInProcessNode(sim, { seednode: [addrKey(seednode)], targetoutbound: TARGET, blockrelayonly: 0, nofeelers: true, rotation: 4 },
      tempDir('node'), cleanup, { timing: { ...FAST_TIMING, rotation: { minSpacingMs: 0, minTenureMs: 0 } } })
    await log.waitUntil(`${TARGET} automatic outbound peers`, () => node.status()?.outbound === TARGET)
    const first = log.events('outbound_connected').filter((r) => auto(r.fields)).map((r) => String(r.fields.addr))
    expect(first).toHaveLength(TARGET)
    expect(log.events('outbound_disconnected')).toEqual([])

    // The first peer's host goes down: a departure (remote close), refilled by the pick.
    const leaving = sim.peers.find((p) => addrKey(p.addr) === first[0])
    if (leaving === undefined) throw new Error(`no sim peer at ${first[0] ?? ''}`)
    await sim.stopPeer(leaving.addr)
    const left = await log.waitFor('outbound_disconnected', (f) => f.addr === first[0])
    expect(left.fields.reason).toBe('returning') // the departed peer is redialed for its slot meanwhile (returns)

    // The other first peer is now the longest-held automatic one: the rotation takes it.
    const rotated = await log.waitFor('outbound_disconnected', (f) => f.reason === 'rotated')
    expect(rotated.fields.addr).toBe(first[1])
    expect(rotated.fields.permanent).toBe(false)
    const session = await log.waitFor('peer_disconnected', (f) => f.addr === first[1] && f.direction === 'outbound')
    expect(String(session.fields.reason)).toMatch(/^rotated: /)
    await log.waitUntil('the rotated slot refilled', () => {
      const ups = log.events('outbound_connected').filter((r) => auto(r.fields)).length
      return ups >= TARGET + 2 && node.status()?.outbound === TARGET
    })
  })

  it('rotates only full-relay slots: the block-relay-only peer stays, though it becomes the longest-held', async () => {
    const sim: SimNetwork = await startSimNetwork({ peers: { live: 9 }, port: 0, seed: 12 })
    cleanup.push(async () => { await sim.close() })
    const { node, log } = await startInProcessNode(sim, { seednode: [addrKey(sim.peer(8).addr)], targetoutbound: TARGET, blockrelayonly: 1, nofeelers: true, rotation: 4 },
      tempDir('node'), cleanup, { timing: { ...FAST_TIMING, rotation: { minSpacingMs: 0, minTenureMs: 0 } } })
    const blockRelay = await log.waitFor('outbound_connected', (f) => f.kind === 'block-relay-only')
    await log.waitUntil(`${TARGET} full-relay peers`, () => node.status()?.outbound === TARGET)
    const first = log.events('outbound_connected').find((r) => auto(r.fields) && r.fields.kind === undefined)
    const leaving = sim.peers.find((p) => addrKey(p.addr) === first?.fields.addr)
    if (leaving === undefined) throw new Error('no full-relay peer to stop')
    await sim.stopPeer(leaving.addr) // a departure: from now on the rotation runs
    await log.waitUntil('three rotations', () => log.events('outbound_disconnected').filter((r) => r.fields.reason === 'rotated').length >= 3)
    const rotated = log.events('outbound_disconnected').filter((r) => r.fields.reason === 'rotated')
    expect(rotated.every((r) => r.fields.kind === undefined)).toBe(true)
    expect(log.events('outbound_disconnected').filter((r) => r.fields.id === blockRelay.fields.id)).toEqual([])
    expect(node.status()?.blockRelay).toBe(1)
  })
})
