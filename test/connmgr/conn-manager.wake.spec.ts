import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConnReq } from '../../src/connmgr/conn-req.ts'
import { DIAL_TIMES_PER_CONNECT, INITIAL_DIAL_STAGGER_MS, STAGGER_HANDSHAKE_MULTIPLE } from '../../src/connmgr/stagger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { loopbackAddr } from '../helpers/scripted-dial.ts'
import { addressSupply, makeManager } from './harness.ts'

beforeEach(() => { vi.useFakeTimers({ now: 0 }) })
afterEach(() => { vi.useRealTimers() })

describe('ConnManager adaptive dial stagger', () => {
  it('staggers at the initial delay until a dial has connected', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 2, getNewAddress: supply.getNewAddress })
    cm.start()
    await vi.advanceTimersByTimeAsync(INITIAL_DIAL_STAGGER_MS - 1)
    expect(dialer.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(4)
    await cm.stop()
  })

  it('before any handshake, follows the first connects: silent peers that accept get companions after a few round trips', async () => {
    const supply = addressSupply()
    const { cm, dialer, logger } = makeManager({ targetOutbound: 2, getNewAddress: supply.getNewAddress })
    cm.start()
    await vi.advanceTimersByTimeAsync(4)
    dialer.calls[0]?.connected()
    dialer.calls[0]?.connected() // once per dial
    await vi.advanceTimersByTimeAsync(0)
    expect(cm.dialStaggerMs).toBe(STAGGER_HANDSHAKE_MULTIPLE * DIAL_TIMES_PER_CONNECT * 4)
    expect(cm.dialStaggerMs).toBe(36)
    // Both silent dials started at 0 are due at 36 ms, long before the initial 500.
    await vi.advanceTimersByTimeAsync(31)
    expect(dialer.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(4)
    expect(logger.records.filter((r) => r.event === 'dial_staggered')).toHaveLength(2)
    // A handshake faster than the connect estimate (3 × 4 ms) lowers it: 10 ms → 30 ms.
    await vi.advanceTimersByTimeAsync(10)
    dialer.calls[2]?.connected()
    dialer.calls[2]?.succeed()
    await vi.advanceTimersByTimeAsync(0)
    expect(cm.dialStaggerMs).toBe(30)
    await cm.stop()
  })

  it('moves the dials in flight to 3 × the observed dial time: silent peers get companions early', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 3, getNewAddress: supply.getNewAddress })
    cm.start()
    await vi.advanceTimersByTimeAsync(40)
    dialer.calls[0]?.succeed()
    await vi.advanceTimersByTimeAsync(0)
    expect(cm.dialStaggerMs).toBe(120)
    // The two still in flight started at 0: due at 120 ms, not at the initial 500.
    await vi.advanceTimersByTimeAsync(79)
    expect(dialer.calls).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(5)
    await cm.stop()
  })

  it('makes a dial already older than the new stagger overdue at once', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 2, getNewAddress: supply.getNewAddress })
    cm.start()
    await vi.advanceTimersByTimeAsync(100)
    dialer.calls[0]?.fail()
    await vi.advanceTimersByTimeAsync(5)
    expect(dialer.calls).toHaveLength(3)
    dialer.calls[2]?.succeed() // 5 ms: the stagger drops to 15 ms; call 1 is 105 ms old
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.calls).toHaveLength(4)
    expect(dialer.calls[3]?.settled).toBe(false)
    await cm.stop()
  })

  it('keeps a fixed dialStaggerMs whatever the dials take', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 2, dialStaggerMs: 1_000, getNewAddress: supply.getNewAddress })
    cm.start()
    await vi.advanceTimersByTimeAsync(5)
    dialer.calls[0]?.succeed()
    await vi.advanceTimersByTimeAsync(994)
    expect(dialer.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(3)
    await cm.stop()
  })
})

describe('ConnManager wake()', () => {
  /** getNewAddress that has nothing until `fill()`, like an empty book before seeding answers. */
  function emptyBook (): { getNewAddress: () => NetAddress, fill: () => void, asked: () => number } {
    const supply = addressSupply()
    let filled = false
    let asked = 0
    return {
      getNewAddress: () => {
        asked++
        if (!filled) throw new Error('no usable address')
        return supply.getNewAddress()
      },
      fill: () => { filled = true },
      asked: () => asked
    }
  }

  it('lets requests that found no address ask again at once when addresses arrive', async () => {
    const book = emptyBook()
    const { cm, dialer, logger } = makeManager({ targetOutbound: 3, dialStaggerMs: 60_000, getNewAddress: book.getNewAddress })
    cm.start()
    expect(logger.records.filter((r) => r.event === 'outbound_throttled')).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(10)
    expect(dialer.calls).toHaveLength(0)
    book.fill()
    cm.wake()
    expect(dialer.calls).toHaveLength(3)
    // Their throttle timers are gone: nothing more is asked when they would have run out.
    const asked = book.asked()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(book.asked()).toBe(asked)
    await cm.stop()
  })

  it('without wake the requests wait out noAddressRetryMs', async () => {
    const book = emptyBook()
    const { cm, dialer } = makeManager({ targetOutbound: 2, noAddressRetryMs: 1_000, getNewAddress: book.getNewAddress })
    cm.start()
    book.fill()
    await vi.advanceTimersByTimeAsync(999)
    expect(dialer.calls).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(2)
    await cm.stop()
  })

  it('does not cut a permanent peer\'s retry wait short, and is a no-op with nobody waiting or after stop', async () => {
    const { cm, dialer } = makeManager({ targetOutbound: 0 }, { outcome: () => 'fail' })
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    cm.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.calls).toHaveLength(1)
    cm.wake()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.calls).toHaveLength(1)
    await cm.stop()
    cm.wake()
    expect(dialer.calls).toHaveLength(1)
  })
})
