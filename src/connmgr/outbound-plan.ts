import type { OutboundDisconnectReason } from './events.ts'

/**
 * The connection manager's decisions, as pure functions of its counts: how many automatic requests to
 * start, whether to stagger one more dial, and what to do after a failure.
 */

/** btcd's maxFailedAttempts: after 25 failures in a row, automatic requests are replaced only every retry duration. */
export const MAX_FAILED_ATTEMPTS = 25

export interface OutboundCounts {
  readonly target: number
  /** Non-permanent requests that are established. */
  readonly autoEstablished: number
  /** Non-permanent requests that are pending: picking an address, dialing, or waiting to retry or be replaced. */
  readonly autoPending: number
}

/** Counts the automatic requests among `pending` and `established`; with `isOverdue`, overdue pending dials are left out. */
export function countOutbound (target: number, pending: Iterable<{ readonly id: number, readonly permanent: boolean, readonly returnUntilMs?: number | undefined }>, established: Iterable<{ readonly req: { readonly permanent: boolean } }>, isOverdue?: (id: number) => boolean): OutboundCounts {
  let autoPending = 0
  let autoEstablished = 0
  // A departed peer redialed for its slot does not count: its stand-in does (returns.ts).
  for (const req of pending) if (!req.permanent && req.returnUntilMs === undefined && isOverdue?.(req.id) !== true) autoPending++
  for (const { req } of established) if (!req.permanent) autoEstablished++
  return { target, autoEstablished, autoPending }
}

/** Automatic requests to start now so that established + pending reaches the target. */
export function refillCount (counts: OutboundCounts): number {
  return Math.max(0, counts.target - counts.autoEstablished - counts.autoPending)
}

/**
 * Whether a slow automatic dial may get a companion: every slot is taken by a pending or established
 * request and the target is not reached yet (at the pending cap the companion displaces the oldest
 * overdue dial, see atPendingCap).
 */
export function mayStagger (counts: OutboundCounts): boolean {
  return counts.autoEstablished < counts.target && counts.autoEstablished + counts.autoPending >= counts.target
}

/** Whether one more automatic request would pass maxPendingDials (every slot is taken, the cap is full). */
export function atPendingCap (counts: OutboundCounts, maxPendingDials: number): boolean {
  return refillCount(counts) === 0 && counts.autoPending >= maxPendingDials
}

/**
 * At the pending cap, whether the oldest overdue dial may make way for a fresh pick (and count as a
 * failure). Not after MAX_FAILED_ATTEMPTS failures in a row: a book that is all silent then waits at the
 * cap for timeouts, as before, instead of churning a socket per stagger.
 */
export function mayDisplace (failedAttempts: number): boolean {
  return failedAttempts < MAX_FAILED_ATTEMPTS
}

/** Why a request failed: its dial, or its address pick (a duplicate address, or none available). */
export type FailureCause = 'dial' | 'duplicate' | 'no_address'

export type FailurePlan =
  /** Retry the same request after the backoff delay. */
  | { readonly action: 'retry' }
  /** Give the request up and start another automatic one, at once or after `throttleMs`. */
  | { readonly action: 'replace', readonly throttleMs: number }
  /** Give the request up; nothing replaces it. */
  | { readonly action: 'drop' }

export interface FailureInput {
  readonly permanent: boolean
  /** A departed peer redialed for its slot (returns.ts): retried like a permanent one while its claim lasts. */
  readonly returning?: boolean
  /** Automatic outbound is possible (a getNewAddress was given). */
  readonly canReplace: boolean
  readonly cause: FailureCause
  /** Failures in a row, this one included. */
  readonly failedAttempts: number
}

export function planFailure (input: FailureInput, delays: { retryDurationMs: number, noAddressRetryMs: number }): FailurePlan {
  if (input.permanent || input.returning === true) return { action: 'retry' }
  if (!input.canReplace) return { action: 'drop' }
  if (input.cause === 'no_address') return { action: 'replace', throttleMs: delays.noAddressRetryMs }
  return { action: 'replace', throttleMs: input.failedAttempts >= MAX_FAILED_ATTEMPTS ? delays.retryDurationMs : 0 }
}

/** How an established connection ended: replaced, reconnected, removed for good, rotated out, or reclaimed by a returning peer. */
export type CloseHow = 'replace' | 'reconnect' | 'removed' | 'rotated' | 'reclaimed'

/**
 * After an established connection ended `how`: whether its request is dialed again (a permanent one, a
 * reconnect, or a departed peer that earned a return) and the reason its `outbound_disconnected` carries.
 */
export function planClose (how: CloseHow, permanent: boolean, returning: boolean): { reconnect: boolean, reason: OutboundDisconnectReason } {
  if (how === 'removed' || how === 'rotated' || how === 'reclaimed') return { reconnect: false, reason: how }
  if (permanent || how === 'reconnect') return { reconnect: true, reason: 'reconnect' }
  return returning ? { reconnect: true, reason: 'returning' } : { reconnect: false, reason: 'replace' }
}
