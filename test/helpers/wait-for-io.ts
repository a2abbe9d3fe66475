import { setImmediate as nextTurn } from 'node:timers/promises'

/** Event-loop turns to wait for loopback I/O before giving up (each turn lets sockets progress). */
const MAX_TURNS = 100_000

/**
 * Waits until `condition` holds, yielding to real I/O between checks. Works under fake timers (only
 * setImmediate from node:timers/promises is used, which vitest leaves real unless told otherwise), so a
 * test can let real sockets reach a state before it moves fake time.
 */
export async function untilIo (condition: () => boolean, what = 'condition'): Promise<void> {
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    if (condition()) return
    await nextTurn()
  }
  throw new Error(`untilIo: ${what} did not happen`)
}
