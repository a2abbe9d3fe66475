import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConnReq, ConnState } from '../../src/connmgr/conn-req.ts'
import { DialAbortedError } from '../../src/connmgr/errors.ts'
import { MAX_FAILED_ATTEMPTS } from '../../src/connmgr/outbound-plan.ts'
import { loopbackAddr } from '../helpers/scripted-dial.ts'
import { addressSupply, makeManager } from './harness.ts'

beforeEach(() => { vi.useFakeTimers({ now: 0 }) })
afterEach(() => { vi.useRealTimers() })

describe('ConnManager dial stagger (fixed)', () => {
  it('starts one more automatic dial beside each one in flight past dialStaggerMs; at maxPendingDials the oldest overdue makes way', async () => {
    const supply = addressSupply()
    const { cm, dialer, logger } = makeManager({ targetOutbound: 2, dialStaggerMs: 1_000, getNewAddress: supply.getNewAddress })
    cm.start()
    await vi.advanceTimersByTimeAsync(999)
    expect(dialer.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(4)
    expect(logger.records.filter((r) => r.event === 'dial_staggered')).toHaveLength(2)
    // Once overdue, the extras get companions too, until the default maxPendingDials = 4 x target = 8.
    await vi.advanceTimersByTimeAsync(2_000)
    expect(dialer.calls).toHaveLength(8)
    const pending = (): number => cm.requests().filter((r) => r.state === ConnState.Pending).length
    expect(pending()).toBe(8)
    // At the cap, the next companions abort the two oldest dials (silent peers, most likely) for fresh picks.
    await vi.advanceTimersByTimeAsync(1_000)
    expect(dialer.calls).toHaveLength(10)
    expect(dialer.calls.map((c) => c.signal.aborted)).toEqual([true, true, false, false, false, false, false, false, false, false])
    expect((dialer.calls[0]?.signal.reason as DialAbortedError).reason).toBe('displaced')
    expect(logger.records.filter((r) => r.event === 'request_canceled' && r.fields.reason === 'displaced')).toHaveLength(2)
    expect(pending()).toBe(8)
    // Each displaced dial is a failure in a row: after MAX_FAILED_ATTEMPTS the cap holds, no more churn.
    await vi.advanceTimersByTimeAsync(60_000)
    expect(dialer.calls).toHaveLength(8 + MAX_FAILED_ATTEMPTS)
    expect(pending()).toBe(8)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(dialer.calls).toHaveLength(8 + MAX_FAILED_ATTEMPTS)
    await cm.stop()
  })

  it('refills a slot beside dials that are overdue: a failed companion is replaced at once, within maxPendingDials', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 2, maxPendingDials: 4, dialStaggerMs: 1_000, getNewAddress: supply.getNewAddress })
    cm.start()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(dialer.calls).toHaveLength(4)
    // The first two (silent peers) are overdue; a refused companion must not leave their slots held.
    dialer.calls[2]?.fail()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.calls).toHaveLength(5)
    dialer.calls[3]?.succeed()
    dialer.calls[4]?.fail()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.calls).toHaveLength(6)
    // Four pending (two overdue, the last companion, and its own companion once overdue) is the cap;
    // from there each companion displaces the oldest overdue dial: never more than four pending.
    await vi.advanceTimersByTimeAsync(1_000)
    expect(dialer.calls).toHaveLength(7)
    expect(cm.requests().filter((r) => r.state === ConnState.Pending)).toHaveLength(4)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(dialer.calls).toHaveLength(8)
    expect(dialer.calls[0]?.signal.aborted).toBe(true)
    expect(cm.requests().filter((r) => r.state === ConnState.Pending)).toHaveLength(4)
    await cm.stop()
  })

  it('aborts the surplus automatic dials once the target is reached, never a permanent one', async () => {
    const supply = addressSupply(10)
    const { cm, dialer } = makeManager({ targetOutbound: 2, dialStaggerMs: 1_000, getNewAddress: supply.getNewAddress })
    const permanent = new ConnReq({ addr: loopbackAddr(1), permanent: true })
    cm.connect(permanent)
    cm.start()
    await vi.advanceTimersByTimeAsync(1_000)
    const automatic = dialer.calls.filter((c) => c.addr.port !== loopbackAddr(1).port)
    expect(automatic).toHaveLength(4)
    automatic[2]?.succeed()
    await vi.advanceTimersByTimeAsync(0)
    expect(automatic.filter((c) => c.signal.aborted)).toHaveLength(0)
    automatic[3]?.succeed()
    await vi.advanceTimersByTimeAsync(0)
    expect(automatic.slice(0, 2).map((c) => c.signal.aborted)).toEqual([true, true])
    expect(automatic[0]?.signal.reason).toBeInstanceOf(DialAbortedError)
    expect((automatic[0]?.signal.reason as DialAbortedError).reason).toBe('surplus')
    expect(dialer.calls[0]?.signal.aborted).toBe(false)
    expect(permanent.state).toBe(ConnState.Pending)
    expect(cm.requests().filter((r) => !r.permanent).map((r) => r.state)).toEqual([ConnState.Established, ConnState.Established])
    // No refill: the target is met.
    await vi.advanceTimersByTimeAsync(10_000)
    expect(dialer.calls).toHaveLength(5)
    await cm.stop()
  })

  it('does not stagger a dial that finishes in time, nor dials while the target has free slots', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 2, dialStaggerMs: 1_000, getNewAddress: supply.getNewAddress })
    cm.start()
    await vi.advanceTimersByTimeAsync(500)
    dialer.calls[0]?.fail()
    dialer.calls[1]?.succeed()
    await vi.advanceTimersByTimeAsync(0)
    // The failed one was replaced at once; the replacement is only 500 ms old at t=1000.
    expect(dialer.calls).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(999)
    expect(dialer.calls).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(4)
    await cm.stop()
  })

  it('honours init.maxPendingDials and init.dialStaggerMs', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 2, maxPendingDials: 3, dialStaggerMs: 250, getNewAddress: supply.getNewAddress })
    cm.start()
    await vi.advanceTimersByTimeAsync(249)
    expect(dialer.calls).toHaveLength(2)
    // Both overdue at 250 ms: one companion fits under the cap of 3, the second displaces the oldest dial.
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(4)
    expect(dialer.calls.filter((c) => c.signal.aborted)).toHaveLength(1)
    expect(cm.requests().filter((r) => r.state === ConnState.Pending)).toHaveLength(3)
    await cm.stop()
  })
})
