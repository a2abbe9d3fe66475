/** Inbound admission's lifecycle events (names and fields are the JSON log's; see docs/events.md). */
export interface InboundEventMap {
  /** A socket was closed on arrival: no slot, accept backoff, or shutting down. Logged sparingly in a flood. */
  inbound_rejected: { readonly addr: string, readonly reason: string, readonly rejected: number }
  /** The connection gater refused a socket (a banned address), before anything was allocated for it. */
  inbound_refused: { readonly addr: string, readonly direction: 'inbound', readonly reason: string }
  /** The operating system failed an accept (EMFILE…): admission pauses for `delayMs`. */
  accept_failed: { readonly reason: string, readonly delayMs: number, readonly failures: number }
}
