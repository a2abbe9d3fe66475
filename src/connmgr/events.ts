/** The connection manager's lifecycle events (names and fields are the JSON log's; see docs/events.md). */

import { addrKey } from '../netaddr/netaddress.ts'
import type { ConnReq } from './conn-req.ts'

/**
 * Fields every request event carries: the address (once picked), the request id, whether it is permanent,
 * and the kind of the manager's automatic slots when it has one (`block-relay-only`).
 */
export interface RequestFields {
  readonly addr: string | undefined
  readonly id: number
  readonly permanent: boolean
  readonly kind?: string
  /** A departed automatic peer redialed for its slot (returns.ts). */
  readonly returning?: true
}

/**
 * rotated: closed by the rotation (the longest-held automatic peer), to be refilled by the normal pick;
 * returning: the peer left on its own, a stand-in takes the slot and the peer is redialed for it;
 * reclaimed: a stand-in closed because the peer that left its slot came back (returns.ts).
 */
export type OutboundDisconnectReason = 'reconnect' | 'replace' | 'removed' | 'stopping' | 'rotated' | 'returning' | 'reclaimed'

/** The fields of `req` for a manager whose automatic slots are of `kind`. */
export function requestFields (kind: string | undefined, req: ConnReq): RequestFields {
  return { addr: req.addr === undefined ? undefined : addrKey(req.addr), id: req.id, permanent: req.permanent, ...(kind === undefined ? {} : { kind }), ...(req.returnUntilMs === undefined ? {} : { returning: true }) }
}

export type CancelReason = 'removed' | 'surplus' | 'displaced' | 'return_expired'

export interface ConnManagerEventMap {
  /** An outbound connection (dial and handshake) is up. */
  outbound_connected: RequestFields
  outbound_disconnected: RequestFields & { readonly reason: OutboundDisconnectReason }
  /** A permanent request (or a departed peer within its claim, `returning`) will be dialed again after `delayMs`. */
  retry_scheduled: RequestFields & { readonly retryCount: number, readonly delayMs: number }
  dial_failed: RequestFields & { readonly reason: string }
  /** connect() was refused: another request holds the address. */
  connect_refused: RequestFields & { readonly reason: 'duplicate_address', readonly holder: number }
  /** getNewAddress had nothing (or a duplicate) for an automatic request. */
  address_unavailable: { readonly id: number, readonly reason: 'no_address' | 'duplicate', readonly error: string }
  /** Many failures in a row: the next automatic request waits. */
  outbound_throttled: { readonly id: number, readonly reason: string, readonly delayMs: number, readonly failedAttempts: number }
  /** A dial is overdue, so another starts beside it. */
  dial_staggered: RequestFields
  /**
   * displaced: the pending cap was full, so the oldest overdue dial gave its socket to a fresh pick;
   * return_expired: a departed peer did not answer within its claim, its stand-in keeps the slot.
   */
  request_canceled: RequestFields & { readonly reason: CancelReason }
}
