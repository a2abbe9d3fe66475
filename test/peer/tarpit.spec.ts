import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SessionGuard } from '../../src/peer/session-guard.ts'
import { tarpitVerdict } from '../../src/peer/tarpit.ts'
import { systemClock } from '../../src/util/clock.ts'

const D = { sendStallMs: 30_000, partialMessageMs: 20_000 }

describe('tarpitVerdict', () => {
  const idle = { queuedBytes: 0, lastSendProgressMs: 0, partialSinceMs: undefined, partialBytes: 0 }
  it('is silent while the peer keeps up', () => {
    expect(tarpitVerdict(idle, D, 1e9)).toBeUndefined()
    expect(tarpitVerdict({ ...idle, queuedBytes: 10, lastSendProgressMs: 1 }, D, 30_000)).toBeUndefined()
    expect(tarpitVerdict({ ...idle, partialSinceMs: 1, partialBytes: 5 }, D, 20_000)).toBeUndefined()
  })
  it('names a stuck send buffer at its deadline', () => {
    expect(tarpitVerdict({ ...idle, queuedBytes: 10, lastSendProgressMs: 0 }, D, 30_000)).toBe('peer is not reading: 10 bytes unsent for 30000 ms')
  })
  it('names a trickled message at its deadline', () => {
    expect(tarpitVerdict({ ...idle, partialSinceMs: 0, partialBytes: 7 }, D, 20_000)).toBe('message trickled: 7 bytes of one message over 20000 ms')
  })
})

describe('SessionGuard', () => {
  let queued = 0
  let reasons: string[] = []
  let guard: SessionGuard
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 })
    queued = 0
    reasons = []
    guard = new SessionGuard({ clock: systemClock, queuedBytes: () => queued, onTarpit: (r) => { reasons.push(r) } }, { rateLimits: {}, deadlines: D })
    guard.start()
  })
  afterEach(() => {
    guard.stop()
    vi.useRealTimers()
  })

  it('disconnects a peer whose send queue does not move for the deadline, within a tenth of it', () => {
    vi.advanceTimersByTime(5_000)
    queued = 100
    vi.advanceTimersByTime(10_000)
    queued = 50 // progress
    vi.advanceTimersByTime(29_000)
    expect(reasons).toEqual([])
    vi.advanceTimersByTime(2_000 + 1_000)
    expect(reasons).toHaveLength(1)
    expect(reasons[0]).toMatch(/^peer is not reading: 50 bytes unsent for 3\d000 ms$/)
    vi.advanceTimersByTime(60_000)
    expect(reasons).toHaveLength(1) // once
  })

  it('a queue that empties between checks is progress', () => {
    for (let i = 0; i < 10; i++) {
      queued = 1_000
      vi.advanceTimersByTime(5_000)
      queued = 0
      vi.advanceTimersByTime(2_000)
    }
    expect(reasons).toEqual([])
  })

  it('times a partial message from its first byte; a message completed in between restarts the clock', () => {
    guard.decoded(0, 10, Date.now()) // 10 bytes of a message
    vi.advanceTimersByTime(15_000)
    guard.decoded(0, 20, Date.now()) // more of the same message: the clock keeps running
    vi.advanceTimersByTime(4_000)
    guard.decoded(1, 3, Date.now()) // it completed; 3 bytes of the next one
    vi.advanceTimersByTime(19_000)
    expect(reasons).toEqual([])
    vi.advanceTimersByTime(2_000)
    expect(reasons[0]).toMatch(/^message trickled: 3 bytes/)
  })
})
