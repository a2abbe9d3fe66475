/**
 * Tarpit defence (ragep2p's concern): a peer must not hold a session open by reading what we send too
 * slowly, or by trickling a message a byte at a time. Pure: the session passes what it observed.
 */

/**
 * Our unsent bytes to a peer may sit without moving at most this long. An honest peer's TCP stack reads
 * within milliseconds; 30 s covers a burst of lost segments on a bad link (TCP's retransmission timeout
 * doubles from 1 s, so four losses in a row wait 1+2+4+8 = 15 s) and a suspended laptop waking up.
 */
export const DEFAULT_SEND_STALL_TIMEOUT_MS = 30_000
/**
 * A message may take at most this long from its first byte to its last. The largest message a peer
 * maintainer takes (an addr of 1,000 entries) is 30 kB; even the 4 MB protocol maximum arrives within
 * 30 s at 1.1 Mbit/s. Without it a peer could reset the idle timer forever with one byte every 19 minutes.
 */
export const DEFAULT_PARTIAL_MESSAGE_TIMEOUT_MS = 30_000

export interface TarpitDeadlines {
  readonly sendStallMs: number
  readonly partialMessageMs: number
}

/** What the session saw, as of the check. */
export interface TarpitObservation {
  /** Bytes we wrote that are still queued in the socket (not yet taken by the kernel). */
  readonly queuedBytes: number
  /** The last time the queue was empty or shrank. */
  readonly lastSendProgressMs: number
  /** When the first byte of the message now half-received arrived; undefined when none is. */
  readonly partialSinceMs: number | undefined
  readonly partialBytes: number
}

/** The reason to disconnect, or undefined while the peer keeps up. */
export function tarpitVerdict (o: TarpitObservation, d: TarpitDeadlines, nowMs: number): string | undefined {
  if (o.queuedBytes > 0 && nowMs - o.lastSendProgressMs >= d.sendStallMs) {
    return `peer is not reading: ${o.queuedBytes} bytes unsent for ${nowMs - o.lastSendProgressMs} ms`
  }
  if (o.partialSinceMs !== undefined && nowMs - o.partialSinceMs >= d.partialMessageMs) {
    return `message trickled: ${o.partialBytes} bytes of one message over ${nowMs - o.partialSinceMs} ms`
  }
  return undefined
}
