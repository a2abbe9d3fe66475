import { systemClock, unixSeconds, type Clock } from '../util/clock.ts'

/** Seconds for the transient part to decay to half its value (btcd's Halflife). */
export const BAN_SCORE_HALF_LIFE_S = 60
/** Seconds after the last transient increase at which the transient part counts as zero (btcd's Lifetime). */
export const BAN_SCORE_LIFETIME_S = 1800
/** btcd precomputes the decay factors of the first 64 seconds, the common case between two increases. */
const PRECOMPUTED_FACTORS = 64
const LAMBDA = Math.LN2 / BAN_SCORE_HALF_LIFE_S
/** Scores are uint32 in btcd; here they saturate at this value instead of wrapping around. */
export const MAX_BAN_SCORE = 0xffff_ffff

const FACTORS: readonly number[] = Array.from({ length: PRECOMPUTED_FACTORS }, (_, i) => Math.exp(-i * LAMBDA))

/** The decay factor 2^(-t/60) after `t` whole seconds: from the table for t < 64, computed otherwise. */
export function decayFactor (seconds: number): number {
  return FACTORS[seconds] ?? Math.exp(-seconds * LAMBDA)
}

function checkPoints (what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_BAN_SCORE) {
    throw new RangeError(`ban score ${what} increase: ${value} (expected an integer 0-${MAX_BAN_SCORE})`)
  }
}

/**
 * A ban score with a persistent part and a transient part that halves every 60 s and is forgotten 1800 s
 * after its last increase; time is counted in whole Unix seconds (btcd's DynamicBanScore).
 * Differences from btcd: `increase(p, 0)` returns the decayed current score (btcd returned the undecayed,
 * possibly expired transient), and the score saturates at 2^32-1 instead of wrapping.
 * Every method is synchronous, so it is safe to call from any async context.
 */
export class DynamicBanScore {
  readonly #clock: Clock
  #lastUnix = 0
  #transient = 0
  #persistent = 0

  constructor (clock: Clock = systemClock) {
    this.#clock = clock
  }

  /** Adds to both parts now and returns the resulting score. */
  increase (persistent: number, transient: number): number {
    return this.increaseAt(persistent, transient, unixSeconds(this.#clock))
  }

  /** The current score: persistent plus the decayed transient. */
  int (): number {
    return this.intAt(unixSeconds(this.#clock))
  }

  /** Adds to both parts as of `unixSeconds` and returns the score at that second. */
  increaseAt (persistent: number, transient: number, unixSeconds: number): number {
    checkPoints('persistent', persistent)
    checkPoints('transient', transient)
    this.#persistent = Math.min(MAX_BAN_SCORE, this.#persistent + persistent)
    if (transient > 0) {
      const dt = unixSeconds - this.#lastUnix
      if (dt > BAN_SCORE_LIFETIME_S) {
        this.#transient = 0
      } else if (this.#transient > 1 && dt > 0) {
        this.#transient *= decayFactor(dt)
      }
      this.#transient += transient
      this.#lastUnix = unixSeconds
    }
    return this.intAt(unixSeconds)
  }

  /** The score as of `unixSeconds`; the decayed transient is truncated to an integer, as in btcd. */
  intAt (unixSeconds: number): number {
    const dt = unixSeconds - this.#lastUnix
    if (this.#transient < 1 || dt < 0 || dt > BAN_SCORE_LIFETIME_S) return this.#persistent
    return Math.min(MAX_BAN_SCORE, this.#persistent + Math.trunc(this.#transient * decayFactor(dt)))
  }

  /** The decayed transient part alone (what a burst of misbehaviour still weighs now). */
  transientPart (): number {
    return this.int() - this.#persistent
  }

  reset (): void {
    this.#persistent = 0
    this.#transient = 0
    this.#lastUnix = 0
  }

  /**
   * btcd's format: "persistent P + transient T at LAST = SCORE as of now". A stored transient is 0 or at
   * least 1 and far below 1e21, where JavaScript's number formatting and Go's %v agree.
   */
  toString (): string {
    return `persistent ${this.#persistent} + transient ${this.#transient} at ${this.#lastUnix} = ${this.int()} as of now`
  }
}

