import { describe, expect, it } from 'vitest'
import { checkTrimSettings, needsTrim, selectOverloadVictims, selectTrimVictims, type TrimCandidate } from '../../src/peervalue/trimming.ts'

const NOW = 1_000_000
const GRACE = 60_000
const conn = (id: number, value: number, ageMs: number, extra: Partial<TrimCandidate> = {}): TrimCandidate =>
  ({ id, value, connectedAtMs: NOW - ageMs, protected: false, inbound: true, ...extra })
const ids = (cs: TrimCandidate[]): number[] => cs.map((c) => c.id)
const settings = { lowWater: 3, highWater: 5, gracePeriodMs: GRACE }

describe('trimming', () => {
  it('trims only at or above the high water mark, and never when off', () => {
    expect(needsTrim(4, settings)).toBe(false)
    expect(needsTrim(5, settings)).toBe(true)
    expect(needsTrim(1000, { lowWater: 0, highWater: 0, gracePeriodMs: GRACE })).toBe(false)
    expect(selectTrimVictims([conn(1, 0, 2 * GRACE)], { lowWater: 0, highWater: 0, gracePeriodMs: GRACE }, NOW)).toEqual([])
  })

  it('closes the lowest value first down to the low water mark; ties go to the shortest-lived', () => {
    const cs = [conn(1, 10, 5 * GRACE), conn(2, 1, 5 * GRACE), conn(3, 5, 2 * GRACE), conn(4, 5, 3 * GRACE), conn(5, 20, 5 * GRACE), conn(6, 5, 4 * GRACE)]
    expect(ids(selectTrimVictims(cs, settings, NOW))).toEqual([2, 3, 4])
  })

  it('spares connections in their grace period and protected ones; they do not count towards the excess', () => {
    const cs = [
      conn(1, 0, GRACE - 1), conn(2, 0, GRACE - 1), // in grace
      conn(3, -5, 5 * GRACE, { protected: true }),
      conn(4, 1, GRACE), conn(5, 2, 5 * GRACE), conn(6, 3, 5 * GRACE), conn(7, 4, 5 * GRACE)
    ]
    // 4 trimmable, low water 3: one goes, the least valuable past its grace.
    expect(ids(selectTrimVictims(cs, settings, NOW))).toEqual([4])
    // Fewer trimmable than the low water mark: nothing.
    expect(selectTrimVictims(cs.slice(0, 5), settings, NOW)).toEqual([])
  })

  it('under overload closes the lowest-valued tenth of the trimmable inbound peers, at least one', () => {
    const cs = [
      ...Array.from({ length: 20 }, (_, i) => conn(i, i, 2 * GRACE)),
      conn(100, -100, 2 * GRACE, { inbound: false }),
      conn(101, -100, 2 * GRACE, { protected: true }),
      conn(102, -100, 1)
    ]
    expect(ids(selectOverloadVictims(cs, GRACE, NOW))).toEqual([0, 1])
    expect(ids(selectOverloadVictims([conn(7, 1, 2 * GRACE)], GRACE, NOW))).toEqual([7])
    expect(selectOverloadVictims([], GRACE, NOW)).toEqual([])
  })

  it('checks its settings', () => {
    expect(() => checkTrimSettings({ lowWater: 5, highWater: 5, gracePeriodMs: 0 })).toThrow(/lowWater \(5\) must be below highWater \(5\)/)
    expect(() => checkTrimSettings({ lowWater: 0, highWater: 5, gracePeriodMs: 0 })).toThrow(/together/)
    expect(() => checkTrimSettings({ lowWater: 1.5, highWater: 5, gracePeriodMs: 0 })).toThrow(/lowWater must be a whole number/)
  })
})
