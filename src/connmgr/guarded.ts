import type { Logger } from '../log/logger.ts'
import type { CloseHow } from './outbound-plan.ts'
import type { Closable } from './types.ts'

export function errorText (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Closes a connection; a close that throws is logged, never allowed to break the manager. */
export function closeQuietly (conn: Closable, log: Logger, reason?: string): void {
  try {
    conn.close(reason)
  } catch (err) {
    log.debug(`Closing a connection failed: ${errorText(err)}`)
  }
}

/** What a connection the manager closes for `how` tells its own log (undefined: the connection's default). */
export function closeText (how: CloseHow): string | undefined {
  if (how === 'rotated') return 'rotated: the longest-held automatic peer'
  if (how === 'reclaimed') return 'reclaimed: the peer that held this slot before came back'
  return undefined
}

/** Runs a caller's callback or listeners; their errors are logged, never allowed to break the manager. */
export function runGuarded (fn: () => unknown, log: Logger): void {
  try {
    fn()
  } catch (err) {
    log.error(`Connection manager callback failed: ${errorText(err)}`)
  }
}
