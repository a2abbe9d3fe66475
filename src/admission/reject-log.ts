import { LogThrottle, type Suppressed } from '../util/log-throttle.ts'
import type { RejectReason } from './reasons.ts'

/** The first few rejections each get a line: an operator testing a limit sees exactly what happened. */
export const DEFAULT_REJECT_LOG_BURST = 3
/** Then at most one line per 10 s, carrying the counts by reason: a 2,000/s flood writes 6 lines a minute. */
export const DEFAULT_REJECT_LOG_INTERVAL_MS = 10_000

export interface RejectLogInit {
  burst?: number
  intervalMs?: number
}

/**
 * What to log about inbound rejections, decided without IO. A rejection that passes the throttle is one
 * line, with the rejections held back since the previous line; the rest are only counted.
 */
export type RejectLogLine =
  | { readonly kind: 'rejection', readonly reason: RejectReason, readonly remote: string, readonly suppressed: Suppressed<RejectReason> | undefined }
  | { readonly kind: 'summary', readonly suppressed: Suppressed<RejectReason> }

export class RejectLog {
  readonly #throttle: LogThrottle<RejectReason>

  constructor (init: RejectLogInit = {}) {
    this.#throttle = new LogThrottle(init.burst ?? DEFAULT_REJECT_LOG_BURST, init.intervalMs ?? DEFAULT_REJECT_LOG_INTERVAL_MS)
  }

  /** One refused socket from `remote`: its line, or undefined when it is only counted. */
  record (reason: RejectReason, remote: string, nowMs: number): RejectLogLine | undefined {
    if (!this.#throttle.shouldLog(nowMs, reason)) return undefined
    return { kind: 'rejection', reason, remote, suppressed: this.#throttle.takeSuppressed() }
  }

  /**
   * For a timer (every interval is enough): a summary of what was held back, once an interval has passed
   * since the last line; so the tail of a flood is reported even if no rejection follows it.
   */
  flush (nowMs: number): RejectLogLine | undefined {
    const suppressed = this.#throttle.flush(nowMs)
    return suppressed === undefined ? undefined : { kind: 'summary', suppressed }
  }
}
