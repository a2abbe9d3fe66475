import type { RejectReason } from '../admission/reasons.ts'

/** Rejections held back from the log since its previous line, by reason. */
export type HeldBack = Readonly<Partial<Record<RejectReason, number>>>

/** Inbound admission's lifecycle events (names and fields are the JSON log's; see docs/events.md). */
export interface InboundEventMap {
  /**
   * A socket was closed on arrival, before anything was allocated for it: every one is an event (for
   * counters); the log writes them only at trace level, and inbound_rejections summarises them.
   */
  inbound_rejected: { readonly addr: string, readonly direction: 'inbound', readonly reason: RejectReason, readonly detail?: string, readonly rejected: number }
  /**
   * The log's view of inbound_rejected (RejectLog): the first few one by one, then at most one line per
   * interval with the counts held back since the previous line. `addr`/`reason` are absent when a timer
   * reports the tail of a flood.
   */
  inbound_rejections: { readonly addr?: string, readonly reason?: RejectReason, readonly rejected: number, readonly heldBack: number, readonly heldBackByReason: HeldBack }
  /** The operating system failed an accept (EMFILE…): admission pauses for `delayMs`. */
  accept_failed: { readonly reason: string, readonly delayMs: number, readonly failures: number }
}
