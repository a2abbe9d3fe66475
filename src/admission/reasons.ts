/**
 * Why an inbound socket was refused: the fixed set the `inbound_rejected` event carries. Listed in the
 * order a gater should test them (docs/admission.md): configuration first, then bans, then the limits,
 * the slot table last.
 */
export const INBOUND_REJECT_REASONS = [
  'denied', 'banned', 'per_ip_limit', 'rate', 'per_group_limit', 'pending_limit', 'slots_full'
] as const

export type InboundRejectReason = typeof INBOUND_REJECT_REASONS[number]

/** The reasons decided by the inbound counters (InboundAdmission); the others belong to the gater. */
export type LimitRejectReason = Extract<InboundRejectReason, 'per_ip_limit' | 'rate' | 'per_group_limit' | 'pending_limit'>

/**
 * Reasons the listener adds of its own, outside admission policy: it is pausing after accept failures
 * (EMFILE…), or nobody takes inbound sockets (a listener built without onAccept).
 */
export const LISTENER_REJECT_REASONS = ['accept_backoff', 'no_accept_handler'] as const

/** Every reason `inbound_rejected` can carry. */
export type RejectReason = InboundRejectReason | typeof LISTENER_REJECT_REASONS[number]

/** A gater's refusal as an inbound_rejected reason: an embedder's own reason is reported as `denied`. */
export function rejectReasonOf (gaterReason: string): InboundRejectReason {
  return (INBOUND_REJECT_REASONS as readonly string[]).includes(gaterReason) ? gaterReason as InboundRejectReason : 'denied'
}
