import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConnManagerInit } from '../../src/connmgr/config.ts'
import { ConnReq } from '../../src/connmgr/conn-req.ts'
import { ConnManagerConfigError } from '../../src/connmgr/errors.ts'
import { DEFAULT_RETURN_MIN_TENURE_MS, DEFAULT_RETURN_WINDOW_MS } from '../../src/connmgr/returns.ts'
import { addrKey, type NetAddress } from '../../src/netaddr/netaddress.ts'
import type { DialOutcome, FakeConn } from '../helpers/scripted-dial.ts'
import { addressSupply, makeManager } from './harness.ts'

beforeEach(() => { vi.useFakeTimers({ now: 0 }) })
afterEach(() => { vi.useRealTimers() })

const MINUTE_MS = 60_000
const TARGET = 3

/**
 * A manager with TARGET automatic slots whose dials succeed at once, except to the addresses in `down`
 * (they fail: the peer is away) and in `hold` (the test settles them); its live connections by address.
 */
function returning (init: ConnManagerInit<FakeConn> = {}) {
  const supply = addressSupply()
  const down = new Set<string>()
  const hold = new Set<string>()
  const outcome = (addr: NetAddress): DialOutcome => down.has(addrKey(addr)) ? 'fail' : hold.has(addrKey(addr)) ? 'hold' : 'succeed'
  const { cm, dialer, logger } = makeManager({ targetOutbound: TARGET, getNewAddress: supply.getNewAddress, ...init }, { outcome })
  const live = new Map<string, FakeConn>()
  cm.on('connected', (req, conn) => { live.set(addrKey(req.addr as NetAddress), conn) })
  cm.on('disconnected', (req) => { live.delete(addrKey(req.addr as NetAddress)) })
  const events = (name: string): Array<Record<string, unknown>> => logger.records.filter((r) => r.event === name).map((r) => r.fields)
  const dialsTo = (key: string): number => dialer.calls.filter((c) => addrKey(c.addr) === key).length
  return { cm, dialer, live, down, hold, events, dialsTo }
}

/** Starts the manager, lets the first TARGET peers hold their slots `heldMs`, and returns the first peer's address. */
async function settle (cm: { start: () => void }, heldMs: number): Promise<void> {
  cm.start()
  await vi.advanceTimersByTimeAsync(heldMs)
}

const FIRST = '127.0.0.1:20001'

describe('ConnManager returns (a departed peer takes its slot back)', () => {
  it('refills the slot at once, redials the departed peer, and closes the stand-in when it answers', async () => {
    const { cm, live, down, events, dialsTo } = returning()
    await settle(cm, 5 * MINUTE_MS)
    expect([...live.keys()]).toEqual([FIRST, '127.0.0.1:20002', '127.0.0.1:20003'])
    down.add(FIRST) // restarting: refuses for a while
    live.get(FIRST)?.drop()
    await vi.advanceTimersByTimeAsync(0)
    expect(events('outbound_disconnected').at(-1)).toMatchObject({ addr: FIRST, reason: 'returning', returning: true })
    // The stand-in holds the slot meanwhile: the target stays met.
    expect(live.has('127.0.0.1:20004')).toBe(true)
    expect(live.size).toBe(TARGET)
    const retry = events('retry_scheduled').at(-1) as { addr: string, delayMs: number, returning: boolean }
    expect(retry).toMatchObject({ addr: FIRST, returning: true, permanent: false })
    expect(retry.delayMs).toBeGreaterThanOrEqual(4_000)
    expect(retry.delayMs).toBeLessThanOrEqual(6_000)
    await vi.advanceTimersByTimeAsync(retry.delayMs)
    expect(dialsTo(FIRST)).toBe(2) // redialed once, refused
    down.delete(FIRST) // back up
    await vi.advanceTimersByTimeAsync(60_000)
    expect(events('outbound_connected').at(-1)).toMatchObject({ addr: FIRST, returning: true })
    expect(events('outbound_disconnected').at(-1)).toMatchObject({ addr: '127.0.0.1:20004', reason: 'reclaimed' })
    expect([...live.keys()].sort()).toEqual([FIRST, '127.0.0.1:20002', '127.0.0.1:20003'])
    // Back in its slot, it is an ordinary automatic peer: nothing more is dialed.
    const dials = dialsTo(FIRST)
    await vi.advanceTimersByTimeAsync(30 * MINUTE_MS)
    expect(dialsTo(FIRST)).toBe(dials)
    expect(events('outbound_connected').at(-1)).toMatchObject({ addr: FIRST })
    await cm.stop()
  })

  it('returns a peer that leaves right after its handshake, but not again if it leaves within a minute of its return', async () => {
    const { cm, live, events, dialsTo } = returning()
    await settle(cm, 1_000)
    live.get(FIRST)?.drop() // a restart right after we connected: owed its slot all the same
    await vi.advanceTimersByTimeAsync(10_000)
    expect(events('outbound_connected').at(-1)).toMatchObject({ addr: FIRST, returning: true })
    expect(dialsTo(FIRST)).toBe(2)
    // It flaps: back, then gone again before the minimum tenure. No second return: the pick takes the slot.
    await vi.advanceTimersByTimeAsync(DEFAULT_RETURN_MIN_TENURE_MS / 2) // back for ≤ 40 s
    live.get(FIRST)?.drop()
    await vi.advanceTimersByTimeAsync(DEFAULT_RETURN_WINDOW_MS)
    expect(events('outbound_disconnected').at(-1)).toMatchObject({ addr: FIRST, reason: 'replace' })
    expect(dialsTo(FIRST)).toBe(2)
    expect(live.size).toBe(TARGET)
    expect(live.has(FIRST)).toBe(false)
    await cm.stop()
  })

  it('a peer that returned and then held its slot the minimum tenure earns another return', async () => {
    const { cm, live, events, dialsTo } = returning()
    await settle(cm, 1_000)
    live.get(FIRST)?.drop()
    await vi.advanceTimersByTimeAsync(10_000)
    await vi.advanceTimersByTimeAsync(DEFAULT_RETURN_MIN_TENURE_MS)
    live.get(FIRST)?.drop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(events('outbound_disconnected').filter((e) => e.addr === FIRST).map((e) => e.reason)).toEqual(['returning', 'returning'])
    expect(dialsTo(FIRST)).toBe(3)
    expect(live.has(FIRST)).toBe(true)
    await cm.stop()
  })

  it('gives up when the peer stays away for the window: the stand-in keeps the slot, about 8 redials spent', async () => {
    const { cm, live, down, events, dialsTo } = returning()
    await settle(cm, 5 * MINUTE_MS)
    down.add(FIRST)
    live.get(FIRST)?.drop()
    await vi.advanceTimersByTimeAsync(DEFAULT_RETURN_WINDOW_MS)
    const canceled = events('request_canceled')
    expect(canceled).toHaveLength(1)
    expect(canceled[0]).toMatchObject({ addr: FIRST, reason: 'return_expired' })
    // 5 s doubling to the 5-minute cap: 5, 10, 20, 40, 80, 160, 300, 300 s fit in 20 minutes (±20 % each).
    expect(dialsTo(FIRST) - 1).toBeGreaterThanOrEqual(7)
    expect(dialsTo(FIRST) - 1).toBeLessThanOrEqual(9)
    expect(live.size).toBe(TARGET)
    expect(live.has('127.0.0.1:20004')).toBe(true)
    // A peer that stays down is no sign the book went bad: the failures never throttled the automatic fill.
    expect(events('outbound_throttled')).toEqual([])
    const dials = dialsTo(FIRST)
    await vi.advanceTimersByTimeAsync(60 * MINUTE_MS)
    expect(dialsTo(FIRST)).toBe(dials)
    await cm.stop()
  })

  it('gives no return to a peer we closed (a ban, the operator, a rotation) or to a permanent one', async () => {
    const { cm, live, events, dialsTo } = returning()
    const permanent = { network: 'ipv4', host: '127.0.0.9', port: 8333 } as const
    cm.connect(new ConnReq({ addr: permanent, permanent: true }))
    await settle(cm, 5 * MINUTE_MS)
    live.get(FIRST)?.kick()
    cm.disconnect((events('outbound_connected').find((e) => e.addr === '127.0.0.1:20002') as { id: number }).id)
    await vi.advanceTimersByTimeAsync(DEFAULT_RETURN_WINDOW_MS)
    expect(dialsTo(FIRST)).toBe(1)
    expect(dialsTo('127.0.0.1:20002')).toBe(1)
    expect(events('outbound_disconnected').map((e) => e.reason)).not.toContain('returning')
    live.get(addrKey(permanent))?.drop()
    await vi.advanceTimersByTimeAsync(0)
    expect(events('outbound_disconnected').at(-1)).toMatchObject({ addr: addrKey(permanent), reason: 'reconnect' })
    expect(events('outbound_disconnected').at(-1)?.returning).toBeUndefined()
    await cm.stop()
  })

  it('cancels the stand-in\'s dial as surplus when the peer is back before it (nothing to reclaim)', async () => {
    // A long stagger: no companion dial fills the slot beside the hanging one.
    const { cm, live, hold, dialer, events } = returning({ dialStaggerMs: MINUTE_MS })
    await settle(cm, MINUTE_MS)
    hold.add('127.0.0.1:20004') // the stand-in's dial hangs
    live.get(FIRST)?.drop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(live.has(FIRST)).toBe(true)
    expect(dialer.calls.find((c) => addrKey(c.addr) === '127.0.0.1:20004')?.signal.aborted).toBe(true)
    expect(events('request_canceled').at(-1)).toMatchObject({ addr: '127.0.0.1:20004', reason: 'surplus' })
    expect(events('outbound_disconnected').map((e) => e.reason)).not.toContain('reclaimed')
    expect(live.size).toBe(TARGET)
    await cm.stop()
  })

  it('two peers that return close the two stand-ins, never each other', async () => {
    const { cm, live, down, events } = returning()
    await settle(cm, 5 * MINUTE_MS)
    for (const key of [FIRST, '127.0.0.1:20002']) {
      down.add(key)
      live.get(key)?.drop()
      await vi.advanceTimersByTimeAsync(1_000)
    }
    expect([...live.keys()].sort()).toEqual(['127.0.0.1:20003', '127.0.0.1:20004', '127.0.0.1:20005'])
    down.delete(FIRST)
    await vi.advanceTimersByTimeAsync(20_000)
    down.delete('127.0.0.1:20002')
    await vi.advanceTimersByTimeAsync(60_000)
    const reclaimed = events('outbound_disconnected').filter((e) => e.reason === 'reclaimed').map((e) => e.addr)
    expect(reclaimed.sort()).toEqual(['127.0.0.1:20004', '127.0.0.1:20005'])
    expect([...live.keys()].sort()).toEqual([FIRST, '127.0.0.1:20002', '127.0.0.1:20003'])
    await cm.stop()
  })

  it('is off with windowMs 0: a departed peer is replaced, never redialed', async () => {
    const { cm, live, events, dialsTo } = returning({ returns: { windowMs: 0 } })
    await settle(cm, 5 * MINUTE_MS)
    live.get(FIRST)?.drop()
    await vi.advanceTimersByTimeAsync(DEFAULT_RETURN_WINDOW_MS)
    expect(events('outbound_disconnected').at(-1)).toMatchObject({ addr: FIRST, reason: 'replace' })
    expect(dialsTo(FIRST)).toBe(1)
    await cm.stop()
  })

  it('a remove() of the returning request ends its claim', async () => {
    const { cm, live, down, events, dialsTo } = returning()
    await settle(cm, 5 * MINUTE_MS)
    down.add(FIRST)
    const id = (events('outbound_connected').find((e) => e.addr === FIRST) as { id: number }).id
    live.get(FIRST)?.drop()
    await vi.advanceTimersByTimeAsync(0)
    cm.remove(id)
    down.delete(FIRST)
    await vi.advanceTimersByTimeAsync(DEFAULT_RETURN_WINDOW_MS)
    expect(dialsTo(FIRST)).toBe(1)
    expect(events('request_canceled').at(-1)).toMatchObject({ addr: FIRST, reason: 'removed' })
    await cm.stop()
  })

  it('gives an address owed its slot (claimOnFailure: the node\'s anchors) a claim when its first dial fails', async () => {
    const asked: string[] = []
    const { cm, live, down, events, dialsTo } = returning({ claimOnFailure: (addr) => { asked.push(addrKey(addr)); return addrKey(addr) === FIRST } })
    down.add(FIRST)
    down.add('127.0.0.1:20002')
    cm.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(asked).toEqual([FIRST, '127.0.0.1:20002'])
    // FIRST keeps a claim; 20002 (not owed) is simply replaced. Three stand-ins fill the slots.
    expect(events('dial_failed').map((e) => [e.addr, e.returning])).toEqual([[FIRST, true], ['127.0.0.1:20002', undefined]])
    expect(live.size).toBe(TARGET)
    down.delete(FIRST)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(events('outbound_connected').at(-1)).toMatchObject({ addr: FIRST, returning: true })
    expect(events('outbound_disconnected').filter((e) => e.reason === 'reclaimed')).toHaveLength(1)
    expect(live.has(FIRST)).toBe(true)
    expect(live.size).toBe(TARGET)
    expect(dialsTo('127.0.0.1:20002')).toBe(1)
    await cm.stop()
  })

  it('refuses a negative window or tenure with the setting named', () => {
    expect(() => returning({ returns: { windowMs: -1 } })).toThrow(ConnManagerConfigError)
    expect(() => returning({ returns: { windowMs: -1 } })).toThrow(/returns windowMs is -1/)
    expect(() => returning({ returns: { minTenureMs: 1.5 } })).toThrow(/returns minTenureMs/)
  })
})
