import { describe, expect, it } from 'vitest'
import { checkRateLimits, MIN_BYTE_BURST, PeerRateLimiter } from '../../src/ratelimit/peer-limits.ts'

describe('PeerRateLimiter', () => {
  it('lets the whole burst through at once, refuses the next, and refills at the rate', () => {
    const l = new PeerRateLimiter({ messages: { ratePerSecond: 10, burst: 5 } }, 0)
    for (let i = 0; i < 5; i++) expect(l.message(0)).toBeUndefined()
    expect(l.message(0)).toEqual({ kind: 'messages', ratePerSecond: 10, burst: 5 })
    expect(l.message(99)).toBeDefined() // 0.99 of a token
    expect(l.message(100)).toBeUndefined() // the refused one took nothing: 1 token at 100 ms
    expect(l.message(100)).toBeDefined()
    // Refill stops at the burst: an hour idle still allows only 5.
    for (let i = 0; i < 5; i++) expect(l.message(3_600_000)).toBeUndefined()
    expect(l.message(3_600_000)).toBeDefined()
  })

  it('charges bytes by count: exactly the burst passes, one more byte does not', () => {
    const l = new PeerRateLimiter({ bytes: { ratePerSecond: 1000, burst: MIN_BYTE_BURST } }, 0)
    expect(l.bytes(MIN_BYTE_BURST, 0)).toBeUndefined()
    expect(l.bytes(1, 0)).toEqual({ kind: 'bytes', ratePerSecond: 1000, burst: MIN_BYTE_BURST })
    expect(l.bytes(1000, 1_000)).toBeUndefined()
    expect(l.message(0)).toBeUndefined() // no message limit set
  })

  it('checks its limits', () => {
    expect(() => checkRateLimits({ messages: { ratePerSecond: 0, burst: 1 } })).toThrow(/messages rate must be a number > 0/)
    expect(() => checkRateLimits({ messages: { ratePerSecond: 1, burst: 0 } })).toThrow(/messages burst must be a whole number >= 1/)
    expect(() => checkRateLimits({ bytes: { ratePerSecond: 1, burst: MIN_BYTE_BURST - 1 } })).toThrow(/bytes burst must be a whole number >= 65536/)
    expect(checkRateLimits({})).toEqual({})
  })
})
