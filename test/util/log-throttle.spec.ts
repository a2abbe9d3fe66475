import { describe, expect, it } from 'vitest'
import { LogThrottle } from '../../src/util/log-throttle.ts'

describe('LogThrottle', () => {
  it('lets the first burst through, then at most one per interval (btcd\'s inbound rejection logging)', () => {
    const throttle = new LogThrottle(3, 30_000)
    const verdicts = [0, 1, 2, 3, 30_001, 30_002, 30_003, 60_002].map((t) => throttle.shouldLog(t))
    expect(verdicts).toEqual([true, true, true, false, false, true, false, true])
  })

  it('counts what it held back, by key when given, and hands it over once', () => {
    const throttle = new LogThrottle<'x' | 'y'>(1, 100)
    throttle.shouldLog(0, 'x')
    throttle.shouldLog(5, 'x')
    throttle.shouldLog(6, 'y')
    throttle.shouldLog(7)
    expect(throttle.takeSuppressed()).toEqual({ total: 3, byKey: { x: 1, y: 1 }, firstMs: 5, lastMs: 7 })
    expect(throttle.takeSuppressed()).toBeUndefined()
  })
})
