import type { Clock, TimerHandle } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import { ChurnRate, HOUR_MS, poissonDelayMs } from './churn-rate.ts'
import { longestHeld } from './tenure.ts'

/**
 * At least 5 minutes between two rotations of one manager: a peer that makes its own connections churn
 * raises the estimate, and this caps what that buys (12 group-fair refills an hour, fewer connections
 * than the feelers' 30) whatever the estimate says.
 */
export const DEFAULT_ROTATION_SPACING_MS = 5 * 60_000
/**
 * A peer is rotated out only once held 10 minutes: the address book skips addresses tried in the last 10
 * minutes (Core's recent-try rule, RECENT_TRY_MS), and an honest group has one address where an attacker's
 * has hundreds, so rotating a young peer would keep its group out of the refill that follows.
 */
export const DEFAULT_ROTATION_MIN_TENURE_MS = 10 * 60_000

/**
 * The CLI's k (`--rotation`): off. In the eclipse simulation no setting of the rotation lowered the
 * restarting nodes' attacker share, and it raised the never-restarting nodes' (docs/eclipse.md#rotation---rotation).
 */
export const DEFAULT_ROTATION_FACTOR = 0

export interface RotationSettings {
  /** k: rotations per slot at k times the rate peers leave on their own. */
  readonly factor: number
  /** @default DEFAULT_CHURN_HALF_LIFE_MS (churn-rate.ts) */
  readonly halfLifeMs: number
  /** @default DEFAULT_ROTATION_SPACING_MS */
  readonly minSpacingMs: number
  /** @default DEFAULT_ROTATION_MIN_TENURE_MS */
  readonly minTenureMs: number
}

/** An established connection as the rotation sees it: its request and when it came up. */
export interface Held {
  readonly req: { readonly id: number, readonly permanent: boolean }
  readonly sinceMs: number
}

/** Resolved settings (config.ts fills the defaults) and the manager's hooks. */
export interface RotationInit extends RotationSettings {
  /** Automatic slots: a rotation runs only while all of them are up (so at most one refill is under way). */
  target: number
  /** The established connections (permanent ones are neither counted nor rotated). */
  held(): Iterable<Held>
  /** Close connection `id` as rotated; the normal pick refills its slot. */
  close(id: number): void
}

/**
 * The tenure bias of outbound slots (issue 16): honest peers restart and leave, a patient attacker's
 * never do, so every refill ratchets towards it. Rotating slots at k times the rate peers leave on their
 * own gives refills (the group-fair pick) the say again. The timer is a Poisson process on the injected
 * clock and random source at k × λ̂ × slots, where λ̂ is ChurnRate's estimate; no churn, no rotation.
 * It cancels the bias only when it outpaces the peers that leave; with churn mixed between peers that
 * restart often and peers that never do it did not, in the simulation (why the CLI leaves it off).
 */
export class Rotation {
  readonly #clock: Clock
  readonly #random: Random
  readonly #init: RotationInit
  readonly #churn: ChurnRate
  #timer: TimerHandle | undefined
  /** The rate the pending timer was drawn at (thinning, see #due). */
  #armedPerMs = 0
  #lastMs = -Infinity
  #running = false

  constructor (components: { clock: Clock, random: Random }, init: RotationInit) {
    this.#clock = components.clock
    this.#random = components.random
    this.#init = init
    this.#churn = new ChurnRate(components.clock.now(), init.halfLifeMs)
  }

  start (): void {
    this.#running = true
    this.changed(false)
  }

  stop (): void {
    this.#running = false
    this.#disarm()
  }

  /** The automatic connections changed; `departed`: one left on its own (not closed by us). */
  changed (departed: boolean): void {
    const now = this.#clock.now()
    if (departed) this.#churn.departed(now)
    this.#churn.setSlots(now, this.#slots())
    // A new rate: the next event is drawn again (a Poisson process forgets its past).
    if (this.#running) this.#arm()
  }

  #slots (): number {
    let n = 0
    for (const { req } of this.#init.held()) if (!req.permanent) n++
    return n
  }

  #ratePerMs (): number {
    return this.#init.factor * this.#churn.perSlotHour(this.#clock.now()) / HOUR_MS * this.#slots()
  }

  #arm (): void {
    this.#disarm()
    this.#armedPerMs = this.#ratePerMs()
    if (this.#armedPerMs === 0) return
    const now = this.#clock.now()
    const at = Math.max(now + poissonDelayMs(this.#armedPerMs, this.#random), this.#lastMs + this.#init.minSpacingMs)
    this.#timer = this.#clock.setTimeout(() => { this.#timer = undefined; this.#due() }, at - now)
  }

  #disarm (): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /**
   * Between changes the estimate only falls (departures decay faster than slot-time), so an event drawn
   * at the armed rate is kept with probability now/armed (thinning): a Poisson process at the falling rate.
   */
  #due (): void {
    const oldest = longestHeld(this.#init.held())
    const old = oldest !== undefined && this.#clock.now() - oldest.sinceMs >= this.#init.minTenureMs
    // Only with every slot up: a rotation whose refill is still under way is the one in flight.
    if (old && this.#slots() >= this.#init.target && this.#random.float() * this.#armedPerMs < this.#ratePerMs()) {
      this.#lastMs = this.#clock.now()
      this.#init.close(oldest.req.id) // its close re-arms through changed()
    }
    if (this.#timer === undefined && this.#running) this.#arm()
  }
}
