import type { Random } from '../util/random.ts'

/** Departure rates are kept per slot-hour: the unit the docs and the rotation factor speak in. */
export const HOUR_MS = 3_600_000

/**
 * How fast the churn estimate forgets: 6 hours. Honest outbound peers of a real node leave about once per
 * slot every several hours to days, so a shorter window would hold one or two departures (an estimate
 * that jumps by 100 % with each); much longer and a node keeps rotating for a day after its peers have
 * settled. At 0.1 departures per slot-hour over 8 slots the window holds ~7 departures (±40 %).
 */
export const DEFAULT_CHURN_HALF_LIFE_MS = 6 * HOUR_MS

/**
 * An exponentially decaying estimate of how often automatic outbound peers leave on their own, per slot
 * and hour: decayed departures over decayed slot-time (the slots held, integrated over time with the same
 * weight). Pure: every call takes the time; the caller reports each change of the slot count.
 */
export class ChurnRate {
  readonly #tauMs: number
  #departures = 0
  #exposureMs = 0
  #slots = 0
  #atMs: number

  constructor (nowMs: number, halfLifeMs: number = DEFAULT_CHURN_HALF_LIFE_MS) {
    this.#tauMs = halfLifeMs / Math.LN2
    this.#atMs = nowMs
  }

  /** The slot count from `nowMs` on (the time before it counts with the previous count). */
  setSlots (nowMs: number, slots: number): void {
    this.#advance(nowMs)
    this.#slots = slots
  }

  /** One peer left on its own at `nowMs`. */
  departed (nowMs: number): void {
    this.#advance(nowMs)
    this.#departures += 1
  }

  /** Departures per slot-hour at `nowMs`; 0 before any slot-time (no churn seen, none assumed). */
  perSlotHour (nowMs: number): number {
    this.#advance(nowMs)
    return this.#exposureMs === 0 ? 0 : this.#departures / this.#exposureMs * HOUR_MS
  }

  #advance (nowMs: number): void {
    const elapsed = nowMs - this.#atMs
    if (elapsed <= 0) return
    const keep = Math.exp(-elapsed / this.#tauMs)
    this.#departures *= keep
    // ∫ slots·e^(−(now−s)/τ) ds over the interval: the slot count held constant since the last change.
    this.#exposureMs = this.#exposureMs * keep + this.#slots * this.#tauMs * (1 - keep)
    this.#atMs = nowMs
  }
}

/** The wait until the next event of a Poisson process with `ratePerMs` (exponential; Infinity at rate 0). */
export function poissonDelayMs (ratePerMs: number, random: Random): number {
  return ratePerMs > 0 ? -Math.log(1 - random.float()) / ratePerMs : Infinity
}
