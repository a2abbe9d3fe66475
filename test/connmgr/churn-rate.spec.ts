import { describe, expect, it } from 'vitest'
import { ChurnRate, HOUR_MS, poissonDelayMs } from '../../src/connmgr/churn-rate.ts'
import { longestHeld } from '../../src/connmgr/tenure.ts'
import { seededRandom } from '../../src/util/random.ts'

const HALF_LIFE_MS = 6 * HOUR_MS

describe('ChurnRate: departures per slot-hour over a decaying window', () => {
  it('is 0 with no departures and before any slot-time', () => {
    const churn = new ChurnRate(0, HALF_LIFE_MS)
    expect(churn.perSlotHour(0)).toBe(0)
    churn.setSlots(0, 8)
    expect(churn.perSlotHour(48 * HOUR_MS)).toBe(0)
  })

  it('is departures over slot-hours while the window is short against the half-life', () => {
    const churn = new ChurnRate(0, 1_000 * HOUR_MS)
    churn.setSlots(0, 8)
    churn.departed(HOUR_MS / 2)
    churn.departed(HOUR_MS)
    // 2 departures over 8 slot-hours (the decay over one hour of a 1000-hour half-life is 0.07 %).
    expect(churn.perSlotHour(HOUR_MS)).toBeCloseTo(0.25, 3)
  })

  it('counts slot-time with the slot count held at the time', () => {
    const churn = new ChurnRate(0, 1_000 * HOUR_MS)
    churn.setSlots(0, 2)
    churn.setSlots(HOUR_MS, 6) // 2 slot-hours, then 6 × 1 hour
    churn.departed(2 * HOUR_MS)
    expect(churn.perSlotHour(2 * HOUR_MS)).toBeCloseTo(1 / 8, 3)
  })

  it('forgets: an hour-old burst weighs half after one half-life without departures', () => {
    const churn = new ChurnRate(0, HALF_LIFE_MS)
    churn.setSlots(0, 8)
    const settled = 20 * HALF_LIFE_MS // slot-time has reached its steady weight, 8 × τ
    for (let i = 0; i < 8; i++) churn.departed(settled)
    const tauHours = HALF_LIFE_MS / Math.LN2 / HOUR_MS
    expect(churn.perSlotHour(settled)).toBeCloseTo(1 / tauHours, 6)
    expect(churn.perSlotHour(settled + HALF_LIFE_MS)).toBeCloseTo(0.5 / tauHours, 6)
    expect(churn.perSlotHour(settled + 10 * HALF_LIFE_MS)).toBeLessThan(0.001 / tauHours)
  })
})

describe('poissonDelayMs', () => {
  it('is the same sequence for the same seed, and exponential with mean 1/rate', () => {
    const draw = (seed: number): number[] => { const r = seededRandom(seed); return Array.from({ length: 4_000 }, () => poissonDelayMs(1 / 60_000, r)) }
    const a = draw(5)
    expect(draw(5)).toEqual(a)
    expect(draw(6)).not.toEqual(a)
    const mean = a.reduce((x, y) => x + y, 0) / a.length
    expect(mean).toBeGreaterThan(57_000)
    expect(mean).toBeLessThan(63_000)
    // Exponential: about e^-1 of the draws exceed the mean.
    expect(a.filter((d) => d > 60_000).length / a.length).toBeCloseTo(Math.exp(-1), 1)
  })

  it('never comes at rate 0', () => {
    expect(poissonDelayMs(0, seededRandom(1))).toBe(Infinity)
  })
})

describe('longestHeld', () => {
  const held = (id: number, sinceMs: number, permanent = false): { req: { id: number, permanent: boolean }, sinceMs: number } => ({ req: { id, permanent }, sinceMs })

  it('picks the connection up longest, never a permanent one', () => {
    expect(longestHeld([held(1, 500), held(2, 100), held(3, 300)])?.req.id).toBe(2)
    expect(longestHeld([held(1, 500), held(2, 100, true), held(3, 300)])?.req.id).toBe(3)
    expect(longestHeld([held(2, 100, true)])).toBeUndefined()
    expect(longestHeld([])).toBeUndefined()
  })
})
