import type { NetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import type { ConnReq } from './conn-req.ts'
import type { CloseHow } from './outbound-plan.ts'
import { shortestHeld, type HeldEntry } from './tenure.ts'

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

/** An established connection as the returns see it: when it came up, and whether it came back as a return. */
export interface HeldSlot extends HeldEntry {
  readonly returned: boolean
}

/**
 * The returns' rules for one connection manager, on its clock: who earns a claim, when a claim ends, and which
 * connection makes way for a returning peer. A claim is the request's returnUntilMs.
 */
export class Returns {
  readonly #clock: Clock
  readonly #settings: ReturnSettings | undefined
  readonly #owed: ((addr: NetAddress) => boolean) | undefined

  /** `owed`: whether an address whose first dial failed is owed its slot all the same (the node's anchors). */
  constructor (clock: Clock, settings: ReturnSettings | undefined, owed?: (addr: NetAddress) => boolean) {
    this.#clock = clock
    this.#settings = settings
    this.#owed = owed
  }

  /**
   * An established connection of `req` ended `how` (`departed`: the peer left on its own): a departure earns
   * a claim, unless returns are off or a peer that came back leaves again within the minimum tenure.
   */
  afterClose (req: ConnReq, held: HeldSlot, how: CloseHow, departed: boolean): void {
    const earned = how === 'replace' && departed && !req.permanent && this.#settings !== undefined &&
      !(held.returned && this.#clock.now() - held.sinceMs < this.#settings.minTenureMs)
    req.returnUntilMs = earned ? this.#deadline() : undefined
  }

  /** A dial of `req` failed: an automatic address owed its slot gets a claim (asked once per request). */
  afterFailedDial (req: ConnReq): void {
    if (req.permanent || req.addr === undefined || req.returnUntilMs !== undefined || this.#owed?.(req.addr) !== true) return
    req.returnUntilMs = this.#deadline()
  }

  /** Whether the claim of `req` ends before its next redial, `delayMs` from now. */
  expiresBefore (req: ConnReq, delayMs: number): boolean {
    return req.returnUntilMs !== undefined && this.#clock.now() + delayMs > req.returnUntilMs
  }

  /**
   * The connection a returning peer displaces once the automatic ones are past the target: the youngest that
   * is not itself a return (the stand-in in its slot); undefined while within the target.
   */
  standIn<T extends HeldSlot> (held: Iterable<T>, autoEstablished: number, target: number): T | undefined {
    return autoEstablished > target ? shortestHeld([...held].filter((h) => !h.returned)) : undefined
  }

  #deadline (): number | undefined {
    return this.#settings === undefined ? undefined : this.#clock.now() + this.#settings.windowMs
  }
}
