import { describe, expect, it } from 'vitest'
import { DynamicBanScore } from '../../src/banscore/dynamic-ban-score.ts'
import { FloodGuard } from '../../src/peer/flood-guard.ts'
import { MISBEHAVIOUR_REASONS, misbehaviourRule, type MisbehaviourReason } from '../../src/peer/misbehaviour.ts'

const START_MS = 1_700_000_000_000
const HOUR_MS = 3_600_000
const BAN_THRESHOLD = 100

/**
 * Sends `command` every `intervalMs` for `durationMs` (after the row's whole burst at time 0), scoring
 * what the guard trips as the session does. Returns the highest score, and when a ban came (if it did).
 */
function sustain (command: string, intervalMs: number, durationMs: number): { maxScore: number, bannedAfterS?: number } {
  const guard = new FloodGuard(START_MS)
  const score = new DynamicBanScore()
  let maxScore = 0
  for (let sent = 0, t = 0; t <= durationMs; sent++, t = sent * intervalMs) {
    const nowMs = START_MS + t
    for (const reason of guard.check(command, nowMs)) {
      const rule = misbehaviourRule(reason)
      maxScore = Math.max(maxScore, score.increaseAt(rule.persistent, rule.transient, Math.floor(nowMs / 1000)))
      if (maxScore >= BAN_THRESHOLD) return { maxScore, bannedAfterS: t / 1000 }
    }
  }
  return { maxScore }
}

/**
 * The rates each flood row tolerates, as docs/peer-sessions.md states them: `free` never scores, `chatty`
 * levels off below half the ban threshold (room for a burst on top), `flood` is banned within `bannedWithinS`.
 */
const TOLERATED: Array<{ reason: MisbehaviourReason, command: string, freeMs: number, chattyMs: number, floodMs: number, bannedWithinS: number }> = [
  { reason: 'ping-flood', command: 'ping', freeMs: 5_000, chattyMs: 4_000, floodMs: 1_000, bannedWithinS: 30 },
  { reason: 'getaddr-flood', command: 'getaddr', freeMs: 60_000, chattyMs: 30_000, floodMs: 12_000, bannedWithinS: 180 },
  { reason: 'message-flood', command: 'inv', freeMs: 10, chattyMs: 1000 / 100.5, floodMs: 1000 / 110, bannedWithinS: 120 }
]

describe('FloodGuard', () => {
  it('counts pings and getaddrs in their own buckets and every message in the shared one', () => {
    const guard = new FloodGuard(0)
    const pings = Array.from({ length: 12 }, () => guard.check('ping', 0))
    expect(pings.slice(0, 10).every((r) => r.length === 0)).toBe(true)
    expect(pings[10]).toEqual(['ping-flood'])
    expect(guard.check('getaddr', 0)).toEqual([])
    expect(guard.check('inv', 0)).toEqual([])
  })

  it('refills with time: one more ping per 5 s', () => {
    const guard = new FloodGuard(0)
    for (let i = 0; i < 10; i++) guard.check('ping', 0)
    expect(guard.check('ping', 4_999)).toEqual(['ping-flood'])
    expect(guard.check('ping', 10_000)).toEqual([])
  })

  it('trips the message bucket after 1000 messages at once, for any command', () => {
    const guard = new FloodGuard(0)
    for (let i = 0; i < 1000; i++) expect(guard.check(i % 2 === 0 ? 'inv' : 'headers', 0)).toEqual([])
    expect(guard.check('inv', 0)).toEqual(['message-flood'])
    expect(guard.check('ping', 0)).toEqual(['message-flood'])
    expect(guard.check('inv', 1_000)).toEqual([]) // 100 per second
  })

  it('the rate table covers every flood row', () => {
    const floodRows = MISBEHAVIOUR_REASONS.filter((r) => misbehaviourRule(r).flood !== undefined)
    expect(TOLERATED.map((t) => t.reason)).toEqual(floodRows)
  })

  describe('tolerated rates: an honest but chatty peer is never banned', () => {
    for (const { reason, command, freeMs, chattyMs, floodMs, bannedWithinS } of TOLERATED) {
      it(`${reason}: one ${command} per ${freeMs} ms for 2 h after a full burst scores nothing`, () => {
        expect(sustain(command, freeMs, 2 * HOUR_MS)).toEqual({ maxScore: 0 })
      })

      it(`${reason}: one ${command} per ${chattyMs.toFixed(2)} ms for 2 h stays below half the threshold`, () => {
        const { maxScore, bannedAfterS } = sustain(command, chattyMs, 2 * HOUR_MS)
        expect(bannedAfterS).toBeUndefined()
        expect(maxScore).toBeGreaterThan(0) // the row does count it: beyond the free rate
        expect(maxScore).toBeLessThan(BAN_THRESHOLD / 2)
      })

      it(`${reason}: one ${command} per ${floodMs.toFixed(2)} ms is banned within ${bannedWithinS} s`, () => {
        const { bannedAfterS } = sustain(command, floodMs, HOUR_MS)
        expect(bannedAfterS).toBeDefined()
        expect(bannedAfterS).toBeLessThanOrEqual(bannedWithinS)
      })
    }
  })
})
