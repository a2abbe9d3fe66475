import type { Clock } from '../../../src/util/clock.ts'

/**
 * A Clock that runs `factor` times faster than real time from the moment it is made: now() advances
 * factor ms per real ms, and a timer of T ms fires after T / factor real ms. Every node of the eclipse
 * simulation shares one, so hours of the protocol's timers (feelers every 2 min, test-before-evict's
 * 40 min window, 10-minute retry rules) pass in minutes, while the sockets stay real.
 */
export function scaledClock (factor: number, startMs = Date.now()): Clock {
  const realStart = Date.now()
  return {
    now: () => startMs + (Date.now() - realStart) * factor,
    setTimeout: (fn, ms) => setTimeout(fn, ms / factor),
    clearTimeout: (handle) => { clearTimeout(handle) },
    setInterval: (fn, ms) => setInterval(fn, Math.max(1, ms / factor)),
    clearInterval: (handle) => { clearInterval(handle) }
  }
}
