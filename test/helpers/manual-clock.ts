import type { Clock } from '../../src/util/clock.ts'

/** A Clock for pure-logic tests whose time only moves when the test says so (timers use the globals). */
export function manualClock (startMs = 1_700_000_000_000): Clock & { set(ms: number): void, advance(ms: number): void } {
  let nowMs = startMs
  return {
    now: () => nowMs,
    set: (ms) => { nowMs = ms },
    advance: (ms) => { nowMs += ms },
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => { clearTimeout(handle) },
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (handle) => { clearInterval(handle) }
  }
}
