import { describe, expect, it } from 'vitest'
import { DIAL_TIME_SAMPLES, DialTimes, INITIAL_DIAL_STAGGER_MS, MAX_DIAL_STAGGER_MS, MIN_DIAL_STAGGER_MS, staggerDelayMs } from '../../src/connmgr/stagger.ts'

describe('dial stagger', () => {
  it('is the initial delay before any dial succeeded, then 3 × the median dial time within its bounds', () => {
    expect(staggerDelayMs(undefined)).toBe(INITIAL_DIAL_STAGGER_MS)
    expect(staggerDelayMs(2)).toBe(MIN_DIAL_STAGGER_MS)
    expect(staggerDelayMs(100)).toBe(300)
    expect(staggerDelayMs(450.4)).toBe(1351)
    expect(staggerDelayMs(5_000)).toBe(MAX_DIAL_STAGGER_MS)
  })

  it('follows the median of the last successful dials and says when the stagger moved', () => {
    const times = new DialTimes()
    expect(times.staggerMs()).toBe(INITIAL_DIAL_STAGGER_MS)
    expect(times.record(100)).toBe(true)
    expect(times.staggerMs()).toBe(300)
    expect(times.record(100)).toBe(false)
    times.record(400)
    expect(times.median()).toBe(100)
    times.record(400)
    expect(times.median()).toBe(250)
    // Old samples leave: a network that became fast is followed within DIAL_TIME_SAMPLES dials.
    for (let i = 0; i < DIAL_TIME_SAMPLES; i++) times.record(4)
    expect(times.median()).toBe(4)
    expect(times.staggerMs()).toBe(MIN_DIAL_STAGGER_MS)
  })
})
