/**
 * Returns (issue 16): an automatic outbound peer that leaves on its own keeps a claim on its slot for a while.
 * The slot is refilled at once by the normal pick (a stand-in), and the departed address is redialed with the
 * permanent peers' backoff; if it answers within the window it takes its slot back and the youngest other
 * automatic connection, normally the stand-in, is closed. Honest nodes restart and come back; an attacker's
 * need never leave. Without returns every honest restart hands a slot to a fresh pick while the attacker keeps
 * what it won, so the attacker's share of slot-time grows past its share of the picks (docs/eclipse.md).
 */

/**
 * How long a departed peer's claim lasts: 20 minutes covers a node's restart, a reboot or an upgrade (minutes),
 * and with the backoff (5 s doubling to 5 min) costs about 8 redials of an address that never comes back.
 */
export const DEFAULT_RETURN_WINDOW_MS = 20 * 60_000
/**
 * A peer that came back must then hold its slot a minute to earn another return: without the bound a peer
 * that flaps (connects, leaves, answers again) could close a stand-in every few seconds. A first departure
 * needs no tenure: an honest peer that restarts right after we connected is owed its slot as much as any.
 */
export const DEFAULT_RETURN_MIN_TENURE_MS = 60_000

export interface ReturnSettings {
  /** How long a departed peer is redialed for its slot. @default DEFAULT_RETURN_WINDOW_MS */
  readonly windowMs: number
  /** How long a peer that returned must then be held to earn another return. @default DEFAULT_RETURN_MIN_TENURE_MS */
  readonly minTenureMs: number
}

/**
 * When the claim of a peer that left on its own at `nowMs`, having held its slot since `sinceMs` (`returned`:
 * as a return), ends; `held` undefined: an address owed a slot it does not hold yet (an anchor). Undefined:
 * it earns none (returns are off, or it came back and left again too soon).
 */
export function returnDeadline (settings: ReturnSettings | undefined, nowMs: number, held?: { readonly sinceMs: number, readonly returned: boolean }): number | undefined {
  if (settings === undefined || (held?.returned === true && nowMs - held.sinceMs < settings.minTenureMs)) return undefined
  return nowMs + settings.windowMs
}

/** Whether a redial `delayMs` from `nowMs` still falls within a claim that ends at `untilMs`. */
export function withinClaim (untilMs: number, nowMs: number, delayMs: number): boolean {
  return nowMs + delayMs <= untilMs
}
