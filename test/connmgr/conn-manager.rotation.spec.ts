import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConnManager } from '../../src/connmgr/conn-manager.ts'
import { HOUR_MS } from '../../src/connmgr/churn-rate.ts'
import type { ConnManagerInit } from '../../src/connmgr/config.ts'
import { ConnReq } from '../../src/connmgr/conn-req.ts'
import { ConnManagerConfigError } from '../../src/connmgr/errors.ts'
import { seededRandom } from '../../src/util/random.ts'
import type { FakeConn } from '../helpers/scripted-dial.ts'
import { addressSupply, makeManager } from './harness.ts'

beforeEach(() => { vi.useFakeTimers({ now: 0 }) })
afterEach(() => { vi.useRealTimers() })

const MINUTE_MS = 60_000
const ROTATION = { factor: 4, halfLifeMs: 6 * HOUR_MS, minSpacingMs: 5 * MINUTE_MS }

/** Watches the manager's outbound_disconnected events as they are emitted. */
function onDisconnected (sink: { emit: (name: string, payload: object) => void }, fn: (p: { id: number, addr: string | undefined, reason: string }) => void): void {
  const emit = sink.emit
  sink.emit = (name, payload) => {
    emit(name, payload)
    if (name === 'outbound_disconnected') fn(payload as { id: number, addr: string | undefined, reason: string })
  }
}

/** A manager whose automatic dials succeed at once (no returns), with its live connections and rotation times. */
function rotating (init: ConnManagerInit<FakeConn> = {}, seed = 1): {
  cm: ConnManager<FakeConn>
  live: Map<number, FakeConn>
  rotated: Array<{ atMs: number, id: number, addr: string | undefined }>
  dials: () => number
} {
  const supply = addressSupply()
  // Returns off: a departed peer here answers at once and would take its slot back (returns.spec covers that).
  const { cm, dialer, logger } = makeManager({ targetOutbound: 4, getNewAddress: supply.getNewAddress, rotation: ROTATION, returns: { windowMs: 0 }, ...init }, { outcome: () => 'succeed', random: seededRandom(seed) })
  const live = new Map<number, FakeConn>()
  cm.on('connected', (req, conn) => { live.set(req.id, conn) })
  cm.on('disconnected', (req) => { live.delete(req.id) })
  const rotated: Array<{ atMs: number, id: number, addr: string | undefined }> = []
  onDisconnected(logger, (p) => { if (p.reason === 'rotated') rotated.push({ atMs: Date.now(), id: p.id, addr: p.addr }) })
  return { cm, live, rotated, dials: () => dialer.calls.length }
}

/** Every hour one automatic peer leaves on its own (the lowest id: the one held longest). */
async function churnHourly (live: Map<number, FakeConn>, hours: number, leave: (c: FakeConn) => void = (c) => { c.drop() }, may: (c: FakeConn) => boolean = () => true): Promise<void> {
  for (let h = 0; h < hours; h++) {
    await vi.advanceTimersByTimeAsync(HOUR_MS)
    const first = [...live.keys()].filter((id) => may(live.get(id) as FakeConn)).sort((a, b) => a - b)[0]
    if (first !== undefined) leave(live.get(first) as FakeConn)
    await vi.advanceTimersByTimeAsync(0)
  }
}

describe('ConnManager rotation', () => {
  it('rotates nothing without churn: no departures, no tenure bias to cancel', async () => {
    const { cm, rotated, dials } = rotating()
    cm.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dials()).toBe(4)
    await vi.advanceTimersByTimeAsync(100 * HOUR_MS)
    expect(rotated).toEqual([])
    expect(dials()).toBe(4)
    await cm.stop()
  })

  it('rotates at about k times the departure rate, closing the longest-held peer, and the pick refills it', async () => {
    const { cm, live, rotated, dials } = rotating()
    const connectedAt = new Map<number, number>()
    cm.on('connected', (req) => { connectedAt.set(req.id, Date.now()) })
    const oldestWhenRotated: boolean[] = []
    cm.on('disconnected', (req) => {
      if (rotated.at(-1)?.id !== req.id) return
      const since = connectedAt.get(req.id) as number
      oldestWhenRotated.push([...live.keys()].every((id) => id === req.id || (connectedAt.get(id) as number) >= since))
    })
    cm.start()
    await churnHourly(live, 200)
    // 200 departures over 200 h × 4 slots: λ = 0.25 per slot-hour; k = 4 gives 1 rotation per slot-hour, 800 in all.
    expect(rotated.length).toBeGreaterThan(600)
    expect(rotated.length).toBeLessThan(1_000)
    expect(oldestWhenRotated).toHaveLength(rotated.length)
    expect(oldestWhenRotated.every(Boolean)).toBe(true)
    expect(live.size).toBe(4)
    expect(dials()).toBe(4 + 200 + rotated.length)
    for (let i = 1; i < rotated.length; i++) expect((rotated[i] as { atMs: number }).atMs - (rotated[i - 1] as { atMs: number }).atMs).toBeGreaterThanOrEqual(ROTATION.minSpacingMs)
    await cm.stop()
  })

  it('draws the same schedule from the same seed (Poisson on the injected clock and random source)', async () => {
    const times = async (seed: number): Promise<number[]> => {
      vi.setSystemTime(0)
      const { cm, live, rotated } = rotating({}, seed)
      cm.start()
      await churnHourly(live, 24)
      await cm.stop()
      return rotated.map((r) => r.atMs)
    }
    const a = await times(3)
    expect(a.length).toBeGreaterThan(10)
    expect(await times(3)).toEqual(a)
    expect(await times(4)).not.toEqual(a)
  })

  it('keeps the minimum spacing when peers churn fast (an attacker dropping its own connections)', async () => {
    const { cm, live, rotated } = rotating({ rotation: { ...ROTATION, factor: 10, minTenureMs: 0 } })
    cm.start()
    for (let i = 0; i < 600; i++) {
      await vi.advanceTimersByTimeAsync(MINUTE_MS)
      const first = [...live.values()][0]
      first?.drop()
    }
    // 10 hours at 0.25 departures per slot-minute: unbounded, k = 10 would rotate ~6,000 times.
    expect(rotated.length).toBeLessThanOrEqual(600 / 5)
    expect(rotated.length).toBeGreaterThan(100)
    await cm.stop()
  })

  it('rotates out no peer held less than the minimum tenure (the book\'s 10-minute recent-try window)', async () => {
    const { cm, live, rotated } = rotating({ rotation: { ...ROTATION, factor: 10, minSpacingMs: 0 } })
    const connectedAt = new Map<number, number>()
    cm.on('connected', (req) => { connectedAt.set(req.id, Date.now()) })
    cm.start()
    // Every 2 minutes the longest-held peer leaves: no peer grows old, the oldest is ~8 minutes.
    for (let i = 0; i < 300; i++) {
      await vi.advanceTimersByTimeAsync(2 * MINUTE_MS)
      const oldest = [...live.keys()].sort((a, b) => a - b)[0]
      if (oldest !== undefined) live.get(oldest)?.drop()
    }
    expect(rotated).toEqual([])
    // Once the peers stay, the oldest passes 10 minutes and the (high) churn estimate rotates it.
    await vi.advanceTimersByTimeAsync(30 * MINUTE_MS)
    expect(rotated.length).toBeGreaterThan(0)
    const first = rotated[0] as { atMs: number, id: number }
    expect(first.atMs - (connectedAt.get(first.id) as number)).toBeGreaterThanOrEqual(10 * MINUTE_MS)
    await cm.stop()
  })

  it('never rotates a permanent peer, even the longest-held one', async () => {
    const { cm, live, rotated } = rotating()
    const host = '127.0.0.2'
    cm.connect(new ConnReq({ addr: { network: 'ipv4', host, port: 8333 }, permanent: true }))
    cm.start() // the permanent peer is dialed first: it is the longest-held connection throughout
    await vi.advanceTimersByTimeAsync(0)
    const permanent = [...cm.requests()].find((r) => r.permanent)
    await churnHourly(live, 48, (c) => { c.drop() }, (c) => c.addr.host !== host)
    expect(rotated.length).toBeGreaterThan(20)
    expect(rotated.map((r) => r.id)).not.toContain(permanent?.id)
    expect(cm.requests().find((r) => r.permanent)?.id).toBe(permanent?.id)
    await cm.stop()
  })

  it('rotates nothing while the target is not met (a slot still dialing)', async () => {
    const supply = addressSupply()
    let n = 0
    // The fourth dial and every later one hang: three slots up, the fourth never fills.
    const { cm, dialer, logger } = makeManager({ targetOutbound: 4, getNewAddress: supply.getNewAddress, rotation: ROTATION, dialStaggerMs: 10 * HOUR_MS, returns: { windowMs: 0 } }, { outcome: () => n++ < 3 ? 'succeed' : 'hold' })
    const reasons: string[] = []
    onDisconnected(logger, (p) => { reasons.push(p.reason) })
    const live: FakeConn[] = []
    cm.on('connected', (_req, conn) => { live.push(conn) })
    cm.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(live).toHaveLength(3)
    live[0]?.drop() // a departure: churn is measured, but no slot may be rotated
    await vi.advanceTimersByTimeAsync(48 * HOUR_MS)
    expect(reasons).toEqual(['replace'])
    expect(dialer.held().length).toBeGreaterThan(0)
    await cm.stop()
  })

  it('does not count closes of ours (a ban, the operator) as churn', async () => {
    const { cm, live, rotated } = rotating()
    cm.start()
    await churnHourly(live, 48, (c) => { c.kick() })
    expect(rotated).toEqual([])
    await cm.stop()
  })

  it('is off with factor 0 and refuses a negative or non-numeric factor', async () => {
    const { cm, live, rotated } = rotating({ rotation: { factor: 0 } })
    cm.start()
    await churnHourly(live, 24)
    expect(rotated).toEqual([])
    await cm.stop()
    expect(() => makeManager({ rotation: { factor: -1 } })).toThrow(ConnManagerConfigError)
    expect(() => makeManager({ rotation: { factor: Number.NaN } })).toThrow(/rotation factor is NaN/)
  })
})
