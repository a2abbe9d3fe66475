import { TokenBucketConfigError } from './errors.ts'
/**
 * A token bucket that is pure: every call takes the current time (ms) as input, so the same code serves
 * the live peer session (clock.now()) and tests or simulations (any chosen time).
 *
 * Refill follows Bitcoin Core's addr bucket: tokens accrue at `ratePerSecond` up to `capacity`, and a
 * bucket already above capacity (after `add`, e.g. Core's +1000 once we sent getaddr) keeps its surplus.
 */
export interface TokenBucketInit {
  /** Tokens added per second of elapsed time. */
  readonly ratePerSecond: number
  /** Refill stops here (the burst an idle sender may spend at once). */
  readonly capacity: number
  /** Tokens at creation; defaults to `capacity`. */
  readonly initialTokens?: number
}

export class TokenBucket {
  readonly ratePerSecond: number
  readonly capacity: number
  #tokens: number
  #lastMs: number

  constructor (init: TokenBucketInit, nowMs: number) {
    if (!(init.ratePerSecond >= 0) || !Number.isFinite(init.ratePerSecond)) {
      throw new TokenBucketConfigError(`token bucket: ratePerSecond must be a finite number >= 0, got ${init.ratePerSecond}`)
    }
    if (!(init.capacity > 0) || !Number.isFinite(init.capacity)) {
      throw new TokenBucketConfigError(`token bucket: capacity must be a finite number > 0, got ${init.capacity}`)
    }
    this.ratePerSecond = init.ratePerSecond
    this.capacity = init.capacity
    this.#tokens = init.initialTokens ?? init.capacity
    this.#lastMs = nowMs
  }

  /** Tokens available at `nowMs` (fractional). Time going backwards adds nothing. */
  tokens (nowMs: number): number {
    this.#refill(nowMs)
    return this.#tokens
  }

  /** Takes `count` tokens if all are available; otherwise takes none and returns false. */
  take (nowMs: number, count = 1): boolean {
    this.#refill(nowMs)
    if (this.#tokens < count) return false
    this.#tokens -= count
    return true
  }

  /** Takes as many whole tokens as are available, at most `count`; returns how many it took. */
  takeUpTo (nowMs: number, count: number): number {
    this.#refill(nowMs)
    const taken = Math.max(0, Math.min(count, Math.floor(this.#tokens)))
    this.#tokens -= taken
    return taken
  }

  /** Adds tokens beyond the refill cap (a one-off allowance, e.g. for the reply to our own getaddr). */
  add (count: number): void {
    this.#tokens += count
  }

  #refill (nowMs: number): void {
    const elapsedMs = nowMs - this.#lastMs
    if (elapsedMs <= 0) return
    this.#lastMs = nowMs
    if (this.#tokens < this.capacity) {
      this.#tokens = Math.min(this.capacity, this.#tokens + (elapsedMs / 1000) * this.ratePerSecond)
    }
  }
}
