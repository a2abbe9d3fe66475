import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  bumpOverwrite, bumpSumBounded, bumpSumUnbounded, Decayer, decayExpireWhenInactive, decayFixed, decayLinear, decayNone, type DecayingValue
} from '../../src/peervalue/decayer.ts'
import { DecayingTagError } from '../../src/peervalue/errors.ts'
import { PeerTags } from '../../src/peervalue/tags.ts'
import { systemClock } from '../../src/util/clock.ts'

const T0 = 1_700_000_000_000
const RES = 1_000

describe('Decayer', () => {
  let tags: PeerTags
  let decayer: Decayer
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 })
    tags = new PeerTags()
    decayer = new Decayer({ clock: systemClock, tags }, { resolutionMs: RES })
  })
  afterEach(() => {
    decayer.close()
    vi.useRealTimers()
  })
  const value = (key = 'p'): number | undefined => tags.tagValue(key, 'd', Date.now())

  it('decayNone keeps the value', () => {
    const d = decayer.register('d', RES, decayNone(), bumpSumUnbounded())
    d.bump('p', 5)
    vi.advanceTimersByTime(10 * RES)
    expect(value()).toBe(5)
  })

  it('decayFixed subtracts each interval and removes at 0', () => {
    const d = decayer.register('d', 2 * RES, decayFixed(2), bumpSumUnbounded())
    d.bump('p', 5)
    vi.advanceTimersByTime(2 * RES)
    expect(value()).toBe(3)
    vi.advanceTimersByTime(RES)
    expect(value()).toBe(3) // between intervals
    vi.advanceTimersByTime(RES)
    expect(value()).toBe(1)
    vi.advanceTimersByTime(2 * RES)
    expect(value()).toBeUndefined()
    expect(decayer.value('d', 'p')).toBeUndefined()
  })

  it('decayLinear multiplies and rounds down, removing at 0', () => {
    const d = decayer.register('d', RES, decayLinear(0.5), bumpSumUnbounded())
    d.bump('p', 7)
    vi.advanceTimersByTime(RES)
    expect(value()).toBe(3)
    vi.advanceTimersByTime(RES)
    expect(value()).toBe(1)
    vi.advanceTimersByTime(RES)
    expect(value()).toBeUndefined()
    expect(() => decayLinear(1.5)).toThrow(/within/)
  })

  it('decayExpireWhenInactive removes the tag once no bump came for the period, keeping the value until then', () => {
    const d = decayer.register('d', RES, decayExpireWhenInactive(3 * RES), bumpSumUnbounded())
    d.bump('p', 4)
    vi.advanceTimersByTime(2 * RES)
    d.bump('p', 1) // activity resets the clock
    vi.advanceTimersByTime(2 * RES)
    expect(value()).toBe(5) // 2 intervals since the last bump
    vi.advanceTimersByTime(RES)
    expect(value()).toBeUndefined() // 3
  })

  it('bumpSumBounded clamps to [min, max]; bumpOverwrite replaces; bumpSumUnbounded adds', () => {
    const v: DecayingValue = { key: 'p', tag: 'd', value: 8, addedMs: 0, lastVisitMs: 0, lastBumpMs: 0 }
    expect(bumpSumBounded(0, 10)(v, 5)).toBe(10)
    expect(bumpSumBounded(0, 10)(v, -20)).toBe(0)
    expect(bumpSumBounded(0, 10)(v, 1)).toBe(9)
    expect(bumpOverwrite()(v, 3)).toBe(3)
    expect(bumpSumUnbounded()(v, -10)).toBe(-2)
    expect(() => bumpSumBounded(5, 1)).toThrow(/above/)
    const d = decayer.register('d', RES, decayNone(), bumpSumBounded(0, 10))
    d.bump('p', 8)
    d.bump('p', 8)
    expect(value()).toBe(10)
  })

  it('records when a value was added, last visited and last bumped', () => {
    const d = decayer.register('d', RES, decayNone(), bumpSumUnbounded())
    d.bump('p', 1)
    vi.advanceTimersByTime(RES)
    d.bump('p', 1)
    vi.advanceTimersByTime(RES / 2)
    expect(decayer.value('d', 'p')).toEqual({ key: 'p', tag: 'd', value: 2, addedMs: T0, lastVisitMs: T0 + RES, lastBumpMs: T0 + RES })
  })

  it('raises an interval below the resolution to it; refuses a second registration; remove and close', () => {
    const d = decayer.register('d', 10, decayNone(), bumpSumUnbounded())
    expect(d.intervalMs).toBe(RES)
    expect(() => decayer.register('d', RES, decayNone(), bumpSumUnbounded())).toThrow(DecayingTagError)
    d.bump('p', 1)
    d.bump('q', 2)
    d.remove('p')
    expect(value('p')).toBeUndefined()
    expect(value('q')).toBe(2)
    d.close()
    expect(value('q')).toBeUndefined()
    expect(() => { d.bump('q', 1) }).toThrow(/closed/)
    d.close() // a second close does nothing
  })

  it('runs one timer for every tag, and none without tags', () => {
    const a = decayer.register('a', RES, decayFixed(1), bumpSumUnbounded())
    const b = decayer.register('b', 3 * RES, decayFixed(1), bumpSumUnbounded())
    expect(vi.getTimerCount()).toBe(1)
    a.bump('p', 10)
    b.bump('p', 10)
    vi.advanceTimersByTime(3 * RES)
    expect(tags.tagValue('p', 'a', Date.now())).toBe(7)
    expect(tags.tagValue('p', 'b', Date.now())).toBe(9)
    expect(tags.value('p', Date.now())).toBe(16)
    a.close()
    b.close()
    expect(vi.getTimerCount()).toBe(0)
  })
})
