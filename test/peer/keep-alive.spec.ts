import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeepAlive } from '../../src/peer/keep-alive.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'

const INTERVAL_MS = 1_000
const PING_TIMEOUT_MS = 5_000
const IDLE_TIMEOUT_MS = 10_000

describe('KeepAlive', () => {
  let pings: bigint[]
  let timeouts: string[]
  let keepAlive: KeepAlive
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 })
    pings = []
    timeouts = []
    keepAlive = new KeepAlive({
      clock: systemClock,
      random: seededRandom(7),
      sendPing: (nonce) => { pings.push(nonce) },
      onTimeout: (reason) => {
        timeouts.push(reason)
        keepAlive.stop() // as the session does when it closes
      }
    }, { pingIntervalMs: INTERVAL_MS, pingTimeoutMs: PING_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS })
  })
  afterEach(() => {
    keepAlive.stop()
    vi.useRealTimers()
  })

  /** Answers the ping in flight after `delayMs`; the round trip it measured. */
  const answer = (delayMs: number): number | undefined => {
    vi.advanceTimersByTime(delayMs)
    return keepAlive.pong(pings.at(-1) ?? -1n, Date.now())
  }

  it('pings at once and every interval, each answered ping making room for the next', () => {
    keepAlive.startPings()
    expect(pings).toHaveLength(1)
    expect(answer(100)).toBe(100)
    vi.advanceTimersByTime(INTERVAL_MS - 100 - 1)
    expect(pings).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(pings).toHaveLength(2)
    expect(pings[1]).not.toBe(pings[0])
    expect(answer(40)).toBe(40)
    vi.advanceTimersByTime(INTERVAL_MS - 40)
    expect(pings).toHaveLength(3)
    expect([keepAlive.latencyMs, keepAlive.minLatencyMs]).toEqual([40, 40])
    expect(timeouts).toEqual([])
  })

  it('keeps one ping in flight and times out when it goes unanswered', () => {
    keepAlive.startPings()
    vi.advanceTimersByTime(PING_TIMEOUT_MS - 1)
    expect(pings).toHaveLength(1) // the intervals passed while the first ping was in flight
    expect(timeouts).toEqual([])
    vi.advanceTimersByTime(1)
    expect(timeouts).toEqual([`ping unanswered for ${PING_TIMEOUT_MS} ms`])
  })

  it('a pong clears the ping timeout; a pong with a wrong nonce does not', () => {
    keepAlive.startPings()
    vi.advanceTimersByTime(PING_TIMEOUT_MS - 1)
    expect(keepAlive.pong((pings[0] ?? 0n) + 1n, Date.now())).toBeUndefined()
    expect(keepAlive.pong(pings[0] ?? 0n, Date.now())).toBe(PING_TIMEOUT_MS - 1)
    expect(keepAlive.pong(pings[0] ?? 0n, Date.now())).toBeUndefined() // already answered
    vi.advanceTimersByTime(1)
    expect(timeouts).toEqual([])
    expect(pings).toHaveLength(2) // the interval fired after the pong: a fresh ping with its own timeout
    vi.advanceTimersByTime(PING_TIMEOUT_MS)
    expect(timeouts).toEqual([`ping unanswered for ${PING_TIMEOUT_MS} ms`])
  })

  it('times out when nothing is received for the idle timeout, counting from the last receipt', () => {
    keepAlive.watchIdle()
    vi.advanceTimersByTime(4_000)
    keepAlive.received(Date.now())
    vi.advanceTimersByTime(IDLE_TIMEOUT_MS - 1)
    expect(timeouts).toEqual([])
    keepAlive.received(Date.now())
    vi.advanceTimersByTime(IDLE_TIMEOUT_MS - 1)
    expect(timeouts).toEqual([])
    vi.advanceTimersByTime(1)
    expect(timeouts).toEqual([`nothing received for ${IDLE_TIMEOUT_MS} ms`])
  })

  it('counts the idle timeout from watchIdle, not from construction', () => {
    vi.advanceTimersByTime(IDLE_TIMEOUT_MS)
    keepAlive.watchIdle()
    vi.advanceTimersByTime(IDLE_TIMEOUT_MS - 1)
    expect(timeouts).toEqual([])
    vi.advanceTimersByTime(1)
    expect(timeouts).toEqual([`nothing received for ${IDLE_TIMEOUT_MS} ms`])
  })

  it('stop() clears every timer', () => {
    keepAlive.watchIdle()
    keepAlive.startPings()
    expect(vi.getTimerCount()).toBe(3) // idle, ping interval, ping timeout
    keepAlive.stop()
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(10 * IDLE_TIMEOUT_MS)
    expect(pings).toHaveLength(1)
    expect(timeouts).toEqual([])
    keepAlive.stop() // idempotent
  })
})
