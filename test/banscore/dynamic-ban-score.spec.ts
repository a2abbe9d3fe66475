import { afterEach, describe, expect, it, vi } from 'vitest'
import { BAN_SCORE_LIFETIME_S, DynamicBanScore, MAX_BAN_SCORE, decayFactor } from '../../src/banscore/dynamic-ban-score.ts'
import { systemClock } from '../../src/util/clock.ts'

const BASE = 1_700_000_000

describe('decayFactor', () => {
  it('matches btcd\'s precomputed table and 2^(-t/60) beyond it', () => {
    expect(decayFactor(0)).toBe(1)
    expect(decayFactor(1)).toBeCloseTo(0.98851402035, 10)
    expect(decayFactor(10)).toBeCloseTo(0.89089871814, 10)
    expect(decayFactor(30)).toBeCloseTo(0.70710678119, 10)
    expect(decayFactor(60)).toBeCloseTo(0.5, 12)
    expect(decayFactor(63)).toBeCloseTo(0.48296816446, 10)
    expect(decayFactor(64)).toBeCloseTo(2 ** (-64 / 60), 12)
    expect(decayFactor(1800)).toBeCloseTo(2 ** -30, 18)
  })
})

describe('DynamicBanScore (btcd vectors)', () => {
  it('decays the transient part with a 60 s half-life (TestDynamicBanScoreDecay)', () => {
    const score = new DynamicBanScore()
    expect(score.increaseAt(100, 50, BASE)).toBe(150)
    expect(score.intAt(BASE + 60)).toBe(125)
    expect(score.intAt(BASE + 7 * 60)).toBe(100)
  })

  it('keeps a transient until its lifetime and forgets it one second later (TestDynamicBanScoreLifetime)', () => {
    const score = new DynamicBanScore()
    expect(score.increaseAt(0, MAX_BAN_SCORE, BASE)).toBe(MAX_BAN_SCORE)
    // 4294967295 * 2^-30 = 3.99999999907, truncated.
    expect(score.intAt(BASE + BAN_SCORE_LIFETIME_S)).toBe(3)
    expect(score.intAt(BASE + BAN_SCORE_LIFETIME_S + 1)).toBe(0)
  })

  it('starts at zero and resets to zero (TestDynamicBanScoreReset)', () => {
    const score = new DynamicBanScore()
    expect(score.int()).toBe(0)
    score.increase(100, 0)
    expect(score.int()).toBe(100)
    score.reset()
    expect(score.int()).toBe(0)
  })

  describe('clock-driven', () => {
    afterEach(() => { vi.useRealTimers() })

    it('prints btcd\'s format (TestDynamicBanScoreString)', () => {
      vi.useFakeTimers({ now: BASE * 1000 })
      const score = new DynamicBanScore(systemClock)
      expect(score.increase(100, 50)).toBe(150)
      expect(score.toString()).toBe(`persistent 100 + transient 50 at ${BASE} = 150 as of now`)
      vi.setSystemTime((BASE + 60) * 1000)
      expect(score.toString()).toBe(`persistent 100 + transient 50 at ${BASE} = 125 as of now`)
    })

    it('counts whole seconds: 999 ms later nothing has decayed', () => {
      vi.useFakeTimers({ now: BASE * 1000 })
      const score = new DynamicBanScore(systemClock)
      score.increase(0, 100)
      vi.setSystemTime(BASE * 1000 + 999)
      expect(score.int()).toBe(100)
      vi.setSystemTime(BASE * 1000 + 1000)
      expect(score.int()).toBe(98)
    })
  })

  it('stores the decayed transient as a float, printed like Go\'s %v', () => {
    const score = new DynamicBanScore()
    score.increaseAt(0, 51, BASE)
    score.increaseAt(0, 1, BASE + 60)
    expect(score.toString()).toMatch(new RegExp(`^persistent 0 \\+ transient 26.5 at ${BASE + 60} = `))
  })
})

describe('DynamicBanScore (fixes over btcd)', () => {
  it('increase(p, 0) returns the decayed current score, not the stale transient', () => {
    const score = new DynamicBanScore()
    expect(score.increaseAt(0, 99, BASE)).toBe(99)
    // btcd: 20 + uint32(99) = 119, a ban at threshold 100. 99 * 2^-10 = 0.097 has decayed to nothing.
    expect(score.increaseAt(20, 0, BASE + 600)).toBe(20)
    // One minute after the 99: 20 + 10 (the 20 above) + trunc(49.5).
    const fresh = new DynamicBanScore()
    fresh.increaseAt(10, 99, BASE)
    expect(fresh.increaseAt(20, 0, BASE + 60)).toBe(79)
  })

  it('never returns an expired transient from increase(p, 0)', () => {
    const score = new DynamicBanScore()
    score.increaseAt(0, 1000, BASE)
    expect(score.increaseAt(5, 0, BASE + BAN_SCORE_LIFETIME_S + 1)).toBe(5)
  })

  it('saturates at 2^32-1 instead of wrapping', () => {
    const score = new DynamicBanScore()
    score.increaseAt(MAX_BAN_SCORE, 0, BASE)
    expect(score.increaseAt(10, 0, BASE)).toBe(MAX_BAN_SCORE)
    expect(score.increaseAt(0, 50, BASE)).toBe(MAX_BAN_SCORE)
  })

  it('rejects negative or fractional increases with a message naming the part', () => {
    const score = new DynamicBanScore()
    expect(() => score.increaseAt(-1, 0, BASE)).toThrow(/persistent increase: -1/)
    expect(() => score.increaseAt(0, 1.5, BASE)).toThrow(/transient increase: 1.5/)
  })
})
