import { describe, expect, it } from 'vitest'
import { DIAL_TIME_QUANTILE, DIAL_TIME_SAMPLES, DIAL_TIMES_PER_CONNECT, DialTimes, INITIAL_DIAL_STAGGER_MS, MAX_DIAL_STAGGER_MS, MIN_DIAL_STAGGER_MS, staggerDelayMs } from '../../src/connmgr/stagger.ts'

describe('dial stagger', () => {
  it('is the initial delay before any dial succeeded, then 3 × the typical dial time within its bounds', () => {
    expect(staggerDelayMs(undefined)).toBe(INITIAL_DIAL_STAGGER_MS)
    expect(staggerDelayMs(2)).toBe(MIN_DIAL_STAGGER_MS)
    expect(staggerDelayMs(100)).toBe(300)
    expect(staggerDelayMs(450.4)).toBe(1351)
    expect(staggerDelayMs(5_000)).toBe(MAX_DIAL_STAGGER_MS)
  })

  it('follows the fastest quarter of the last successful dials and says when the stagger moved', () => {
    const times = new DialTimes()
    expect(times.staggerMs()).toBe(INITIAL_DIAL_STAGGER_MS)
    expect(times.record(100)).toBe(true)
    expect(times.staggerMs()).toBe(300)
    expect(times.record(100)).toBe(false)
    expect(times.record(400)).toBe(false)
    expect(times.typical()).toBe(100)
    // A cold first handshake (60 ms) stops counting once faster ones arrive: the fastest of few samples.
    const cold = new DialTimes()
    cold.record(60)
    expect(cold.staggerMs()).toBe(180)
    expect(cold.record(2)).toBe(true)
    expect(cold.staggerMs()).toBe(MIN_DIAL_STAGGER_MS)
    // Real-internet handshakes (50–500 ms): the 4th fastest of 16, not the single fastest.
    const internet = new DialTimes()
    for (let ms = 50; ms <= 500; ms += 30) internet.record(ms)
    expect(DIAL_TIME_QUANTILE).toBe(0.25)
    expect(internet.typical()).toBe(140)
    expect(internet.staggerMs()).toBe(420)
    // Old samples leave: a network that became fast is followed within DIAL_TIME_SAMPLES dials.
    for (let i = 0; i < DIAL_TIME_SAMPLES; i++) internet.record(2)
    expect(internet.typical()).toBe(2)
    expect(internet.staggerMs()).toBe(MIN_DIAL_STAGGER_MS)
  })

  it('estimates the dial time from TCP connects too, and takes the lower of the two estimates', () => {
    const times = new DialTimes()
    expect(times.recordConnect(5)).toBe(true)
    expect(times.typical()).toBe(DIAL_TIMES_PER_CONNECT * 5)
    expect(times.staggerMs()).toBe(45)
    expect(times.recordConnect(900)).toBe(false) // the fast quarter of [5, 900] is 5
    // Tor: a connect through the proxy takes seconds: the upper bound holds.
    const tor = new DialTimes()
    tor.recordConnect(1_500)
    expect(tor.staggerMs()).toBe(MAX_DIAL_STAGGER_MS)
    // A handshake slower than the connects suggest does not raise it; a faster one lowers it.
    expect(times.record(40)).toBe(false)
    expect(times.typical()).toBe(15)
    expect(times.record(8)).toBe(true)
    expect(times.typical()).toBe(8)
    // A busy fresh process: its first handshake took 80 ms; a later connect of 1 ms shows the network is fast.
    const busy = new DialTimes()
    busy.record(80)
    expect(busy.staggerMs()).toBe(240)
    expect(busy.recordConnect(1)).toBe(true)
    expect(busy.staggerMs()).toBe(MIN_DIAL_STAGGER_MS)
  })
})
