import { describe, expect, it } from 'vitest'
import { baseRetryDelayMs, retryDelayMs, type BackoffPolicy } from '../../src/connmgr/backoff.ts'
import type { Random } from '../../src/util/random.ts'

const exponential: BackoffPolicy = { mode: 'exponential', retryDurationMs: 5_000, maxRetryDurationMs: 300_000, jitter: 0.2 }
const linear: BackoffPolicy = { ...exponential, mode: 'linear', jitter: 0 }

/** A Random whose float() returns the given values in turn. */
function floats (...values: number[]): Random {
  return { float: () => values.shift() ?? 0.5, int: () => 0, bytes: (n) => new Uint8Array(n) }
}

describe('backoff', () => {
  it('exponential: 5, 10, 20, 40, 80, 160 s, then the 300 s cap', () => {
    const delays = Array.from({ length: 9 }, (_, i) => baseRetryDelayMs(i + 1, exponential) / 1000)
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 300, 300, 300])
    expect(baseRetryDelayMs(5000, exponential)).toBe(300_000)
  })

  it('linear (btcd): 5, 10, 15 s …, reaching the 300 s cap at retry 60', () => {
    expect([1, 2, 3, 59, 60, 61].map((n) => baseRetryDelayMs(n, linear) / 1000)).toEqual([5, 10, 15, 295, 300, 300])
    expect(retryDelayMs(3, linear, floats(0))).toBe(15_000)
  })

  it('jitter spreads each delay uniformly over ±20%, in whole ms, never past the cap', () => {
    const random = floats(0, 0.5, 0.999_999, 0.25, 1 - 2 ** -40, 0)
    expect(retryDelayMs(1, exponential, random)).toBe(4_000)
    expect(retryDelayMs(1, exponential, random)).toBe(5_000)
    expect(retryDelayMs(1, exponential, random)).toBe(6_000)
    expect(retryDelayMs(2, exponential, random)).toBe(9_000)
    expect(retryDelayMs(7, exponential, random)).toBe(300_000)
    expect(retryDelayMs(7, exponential, random)).toBe(240_000)
  })
})
