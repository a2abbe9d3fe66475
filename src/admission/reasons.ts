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
