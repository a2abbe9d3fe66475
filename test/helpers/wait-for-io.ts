import { setImmediate as nextTurn } from 'node:timers/promises'
import { vi } from 'vitest'

/** Event-loop turns to wait for loopback I/O before giving up (each turn lets sockets progress). */
const MAX_TURNS = 100_000

/**
 * Fake timers for tests that also use real sockets: only the timer functions our code reaches through
 * the Clock (and Date) are faked; setImmediate and nextTick stay real so I/O callbacks keep flowing.
 */
export function useFakeTimersWithRealIo (nowMs = 0): void {
  vi.useFakeTimers({ now: nowMs, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
}

/**
 * Waits until `condition` holds, yielding to real I/O between checks (setImmediate, which
 * useFakeTimersWithRealIo leaves real), so a test can let sockets reach a state before it moves fake time.
 */
export async function untilIo (condition: () => boolean, what = 'condition'): Promise<void> {
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    if (condition()) return
    await nextTurn()
  }
  throw new Error(`untilIo: ${what} did not happen`)
}
