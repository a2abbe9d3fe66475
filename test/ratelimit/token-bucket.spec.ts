import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { TokenBucket } from '../../src/ratelimit/token-bucket.ts'
import { TokenBucketConfigError } from '../../src/ratelimit/errors.ts'

describe('TokenBucket', () => {
  it('starts full by default and refuses once empty', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 3 }, 0)
    expect(bucket.take(0)).toBe(true)
    expect(bucket.take(0, 2)).toBe(true)
    expect(bucket.take(0)).toBe(false)
  })

  it('refills at the rate, up to the capacity', () => {
    const bucket = new TokenBucket({ ratePerSecond: 0.1, capacity: 1000, initialTokens: 1 }, 0)
    expect(bucket.tokens(0)).toBe(1)
    expect(bucket.tokens(10_000)).toBeCloseTo(2)
    expect(bucket.tokens(100_000_000)).toBe(1000)
  })

  it('take is all or nothing; takeUpTo takes whole tokens only', () => {
    const bucket = new TokenBucket({ ratePerSecond: 0, capacity: 10, initialTokens: 2.5 }, 0)
    expect(bucket.take(0, 3)).toBe(false)
    expect(bucket.tokens(0)).toBe(2.5)
    expect(bucket.takeUpTo(0, 5)).toBe(2)
    expect(bucket.tokens(0)).toBeCloseTo(0.5)
    expect(bucket.takeUpTo(0, 5)).toBe(0)
  })

  it('keeps a surplus from add() above the capacity (Core: +1000 after our getaddr)', () => {
    const bucket = new TokenBucket({ ratePerSecond: 0.1, capacity: 1000, initialTokens: 1000 }, 0)
    bucket.add(1000)
    expect(bucket.tokens(60_000)).toBe(2000)
    expect(bucket.takeUpTo(60_000, 1500)).toBe(1500)
    expect(bucket.tokens(60_000)).toBe(500)
  })

  it('ignores time going backwards', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 10, initialTokens: 0 }, 5_000)
    expect(bucket.tokens(1_000)).toBe(0)
    expect(bucket.tokens(6_000)).toBeCloseTo(1)
  })

  it('rejects a bad configuration with a named error', () => {
    expect(() => new TokenBucket({ ratePerSecond: -1, capacity: 1 }, 0)).toThrow(TokenBucketConfigError)
    expect(() => new TokenBucket({ ratePerSecond: 1, capacity: 0 }, 0)).toThrow(/capacity must be/)
  })

  it('never grants more than initial + rate × time over any schedule', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 50 })), { maxLength: 200 }),
      (steps) => {
        const bucket = new TokenBucket({ ratePerSecond: 2, capacity: 20, initialTokens: 20 }, 0)
        let now = 0
        let granted = 0
        for (const [dt, want] of steps) {
          now += dt
          granted += bucket.takeUpTo(now, want)
          expect(granted).toBeLessThanOrEqual(20 + (now / 1000) * 2 + 1e-9)
          expect(bucket.tokens(now)).toBeGreaterThanOrEqual(0)
        }
      }
    ), { seed: 42, numRuns: 200 })
  })
})
