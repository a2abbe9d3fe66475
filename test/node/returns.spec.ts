import { afterEach, describe, expect, it } from 'vitest'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { httpRequest } from '../helpers/http-request.ts'
import { startInProcessNode } from '../helpers/in-process-node.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The node in-process over real TCP against simulated peers: an automatic peer whose host goes down is
// redialed while a stand-in holds its slot; when the host is back, it takes its slot back and the
// stand-in is closed (issue 16, src/connmgr/returns.ts).

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const TARGET = 2
const auto = (fields: Record<string, unknown>): boolean => fields.permanent === false

describe('returns of departed automatic peers (real TCP)', () => {
  it('keeps the slot for a peer that restarts: a stand-in fills it, then makes way when the peer answers again', async () => {
    const sim: SimNetwork = await startSimNetwork({ peers: { live: 6 }, port: 0, seed: 21 })
    cleanup.push(async () => { await sim.close() })
    const metricsPort = await refusedPort()
    const { node, log } = await startInProcessNode(sim, { seednode: [addrKey(sim.peer(5).addr)], targetoutbound: TARGET, blockrelayonly: 0, nofeelers: true, metricslisten: [`127.0.0.1:${metricsPort}`] }, tempDir('node'), cleanup)
    await log.waitUntil(`${TARGET} automatic outbound peers`, () => node.status()?.outbound === TARGET)
    const first = log.events('outbound_connected').filter((r) => auto(r.fields)).map((r) => String(r.fields.addr))
    const restarting = sim.peers.find((p) => addrKey(p.addr) === first[0])
    if (restarting === undefined) throw new Error(`no sim peer at ${first[0] ?? ''}`)

    await sim.stopPeer(restarting.addr)
    const left = await log.waitFor('outbound_disconnected', (f) => f.addr === first[0])
    expect(left.fields).toMatchObject({ reason: 'returning', returning: true })
    // A stand-in takes the slot while the peer is away; its redials fail.
    const standIn = await log.waitFor('outbound_connected', (f) => auto(f) && !first.includes(String(f.addr)))
    await log.waitFor('dial_failed', (f) => f.addr === first[0] && f.returning === true)
    expect(node.status()?.outbound).toBe(TARGET)

    await sim.restartPeer(restarting.addr)
    const back = await log.waitFor('outbound_connected', (f) => f.addr === first[0] && f.returning === true)
    expect(back.fields.id).toBe(left.fields.id)
    const reclaimed = await log.waitFor('outbound_disconnected', (f) => f.reason === 'reclaimed')
    expect(reclaimed.fields.addr).toBe(standIn.fields.addr)
    // Its session says why (the seed node, if it is the stand-in, had an address-fetch session that ended before).
    await log.waitFor('peer_disconnected', (f) => f.addr === standIn.fields.addr && f.direction === 'outbound' && String(f.reason).startsWith('reclaimed: '))
    await log.waitUntil('the target held by the returned peer and the other first one', () => node.status()?.outbound === TARGET)
    const held = (node.registry?.all() ?? []).filter((c) => c.kind === 'outbound-full-relay').map((c) => c.key).sort()
    expect(held).toEqual([...first].sort())
    // Operators see it in the metrics; the permanent peers' retry counter (an alert's input) stays out of it.
    const scrape = (await httpRequest(metricsPort, { method: 'GET', path: '/metrics' })).body
    expect(scrape).toContain('peerkeeper_outbound_returns_total{result="returned"} 1\n')
    expect(scrape).toContain('peerkeeper_outbound_returns_total{result="reclaimed"} 1\n')
    expect(scrape).toContain('peerkeeper_retries_scheduled_total 0\n')
  })

  it('with --returnwindow 0s a departed peer is replaced and never redialed', async () => {
    const sim: SimNetwork = await startSimNetwork({ peers: { live: 6 }, port: 0, seed: 22 })
    cleanup.push(async () => { await sim.close() })
    const { node, log } = await startInProcessNode(sim, { seednode: [addrKey(sim.peer(5).addr)], targetoutbound: TARGET, blockrelayonly: 0, nofeelers: true, returnwindow: '0s' }, tempDir('node'), cleanup)
    await log.waitUntil(`${TARGET} automatic outbound peers`, () => node.status()?.outbound === TARGET)
    const first = String(log.events('outbound_connected').find((r) => auto(r.fields))?.fields.addr)
    const leaving = sim.peers.find((p) => addrKey(p.addr) === first)
    if (leaving === undefined) throw new Error(`no sim peer at ${first}`)
    await sim.stopPeer(leaving.addr)
    const left = await log.waitFor('outbound_disconnected', (f) => f.addr === first)
    expect(left.fields.reason).toBe('replace')
    await sim.restartPeer(leaving.addr)
    await log.waitUntil('the slot refilled', () => node.status()?.outbound === TARGET)
    expect(log.events('retry_scheduled').filter((r) => r.fields.addr === first)).toEqual([])
  })

  it('keeps a claim for an anchor that is down at start: a stand-in takes its block-relay-only slot until it answers', async () => {
    const sim: SimNetwork = await startSimNetwork({ peers: { live: 8 }, port: 0, seed: 23 })
    cleanup.push(async () => { await sim.close() })
    const datadir = tempDir('node')
    const options = { seednode: [addrKey(sim.peer(7).addr)], targetoutbound: TARGET, blockrelayonly: 1, nofeelers: true }
    const first = await startInProcessNode(sim, options, datadir, cleanup)
    await first.log.waitUntil('the block-relay-only slot', () => first.node.status()?.blockRelay === 1 && first.node.status()?.outbound === TARGET)
    await first.node.stop()
    const [anchor] = first.log.events('anchors_saved').at(-1)?.fields.addrs as string[]
    const anchorPeer = sim.peers.find((p) => addrKey(p.addr) === anchor)
    if (anchor === undefined || anchorPeer === undefined) throw new Error('no anchor saved')
    await sim.stopPeer(anchorPeer.addr) // it restarts too, and is down when we come back

    const { node, log } = await startInProcessNode(sim, options, datadir, cleanup)
    await log.waitFor('anchor_dial', (f) => f.addr === anchor)
    const failed = await log.waitFor('dial_failed', (f) => f.addr === anchor)
    expect(failed.fields).toMatchObject({ kind: 'block-relay-only', returning: true })
    const standIn = await log.waitFor('outbound_connected', (f) => f.kind === 'block-relay-only' && f.addr !== anchor)
    await sim.restartPeer(anchorPeer.addr)
    const back = await log.waitFor('outbound_connected', (f) => f.addr === anchor)
    expect(back.fields).toMatchObject({ kind: 'block-relay-only', returning: true, id: failed.fields.id })
    const reclaimed = await log.waitFor('outbound_disconnected', (f) => f.reason === 'reclaimed')
    expect(reclaimed.fields).toMatchObject({ addr: standIn.fields.addr, kind: 'block-relay-only' })
    await log.waitUntil('the anchor alone in the slot', () => node.status()?.blockRelay === 1)
    expect((node.registry?.all() ?? []).filter((c) => c.kind === 'block-relay-only').map((c) => c.key)).toEqual([anchor])
  })

  it('saves a departed block-relay-only peer as the anchor, not its stand-in, when we stop before it is back', async () => {
    const sim: SimNetwork = await startSimNetwork({ peers: { live: 8 }, port: 0, seed: 24 })
    cleanup.push(async () => { await sim.close() })
    const { node, log } = await startInProcessNode(sim, { seednode: [addrKey(sim.peer(7).addr)], targetoutbound: TARGET, blockrelayonly: 1, nofeelers: true }, tempDir('node'), cleanup)
    const held = await log.waitFor('outbound_connected', (f) => f.kind === 'block-relay-only')
    const peer = sim.peers.find((p) => addrKey(p.addr) === held.fields.addr)
    if (peer === undefined) throw new Error('no block-relay-only peer')
    await sim.stopPeer(peer.addr)
    const standIn = await log.waitFor('outbound_connected', (f) => f.kind === 'block-relay-only' && f.addr !== held.fields.addr)
    await node.stop()
    // First the peer the slot is kept for; the stand-in only fills the second anchor place (MAX_ANCHORS 2).
    expect(log.events('anchors_saved').at(-1)?.fields).toMatchObject({ reason: 'stop', addrs: [held.fields.addr, standIn.fields.addr] })
  })
})
