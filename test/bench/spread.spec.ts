import { afterEach, describe, expect, it, vi } from 'vitest'
import { watchSpread } from '../../bench/lib/eclipse/spread.ts'
import { manualClock } from '../helpers/manual-clock.ts'

const SAMPLE_MS = 1_000
const SIM_MS_PER_SAMPLE = 20_000

/** The eclipse simulation times how far a fresh node's address spreads through the other books. */
describe('eclipse simulation: watchSpread', () => {
  afterEach(() => { vi.useRealTimers() })

  it('keeps, per node, the simulated minutes to the first sample at 10, 25 and 50 % of the other books', () => {
    vi.useFakeTimers()
    const clock = manualClock()
    const start = clock.now()
    // Node 30 spreads one book per sample, node 31 started a minute earlier and never passes 2 of 20.
    let samples = 0
    const net = { booksHolding: (i: number) => ({ holding: i === 30 ? samples : Math.min(samples, 2), of: 20 }) }
    const spread = watchSpread(net, new Map([[30, start], [31, start - 60_000]]), clock, SAMPLE_MS)
    for (let k = 0; k < 12; k++) {
      samples++
      clock.advance(SIM_MS_PER_SAMPLE)
      vi.advanceTimersByTime(SAMPLE_MS)
    }
    // 10 % of 20 books = 2 (after 2 samples, 40 s), 25 % = 5 (100 s), 50 % = 10 (200 s); node 31 reaches 10 % only.
    expect(spread.stop()).toEqual([[40 / 60, 100 / 60, 200 / 60], [100 / 60, null, null]])
  })
})
