import { TokenBucketConfigError } from './errors.ts'
import { TokenBucket } from './token-bucket.ts'

/**
 * Per-connection limits on what a peer may send us (ragep2p's message and byte buckets): a rate and a
 * burst for messages per second and for bytes per second, each optional. Pure: every call takes the time.
 */

/** A rate and the burst an idle peer may spend at once. */
export interface RateLimit {
  readonly ratePerSecond: number
  readonly burst: number
}

export interface PeerRateLimits {
  /** Messages per second (any command). */
  readonly messages?: RateLimit
  /** Bytes per second, counted as they arrive from the socket (headers included). */
  readonly bytes?: RateLimit
}

export type RateLimitKind = keyof PeerRateLimits

/**
 * Node delivers a socket's data in reads of up to 64 KiB, and one read is charged at once: a smaller byte
 * burst would refuse a single honest read.
 */
export const MIN_BYTE_BURST = 64 * 1024

/** What a refused message or read ran into. */
export interface RateOverrun {
  readonly kind: RateLimitKind
  readonly ratePerSecond: number
  readonly burst: number
}

/** Checks limits (rates > 0, bursts >= 1, byte bursts >= MIN_BYTE_BURST); the message names the field. */
export function checkRateLimits (limits: PeerRateLimits): PeerRateLimits {
  for (const kind of ['messages', 'bytes'] as const) {
    const limit = limits[kind]
    if (limit === undefined) continue
    if (!(limit.ratePerSecond > 0) || !Number.isFinite(limit.ratePerSecond)) {
      throw new TokenBucketConfigError(`${kind} rate must be a number > 0, got ${limit.ratePerSecond}`)
    }
    const min = kind === 'bytes' ? MIN_BYTE_BURST : 1
    if (!Number.isSafeInteger(limit.burst) || limit.burst < min) throw new TokenBucketConfigError(`${kind} burst must be a whole number >= ${min}, got ${limit.burst}`)
  }
  return limits
}

/** One connection's buckets; both start full. */
export class PeerRateLimiter {
  readonly #messages: { limit: RateLimit, bucket: TokenBucket } | undefined
  readonly #bytes: { limit: RateLimit, bucket: TokenBucket } | undefined

  constructor (limits: PeerRateLimits, nowMs: number) {
    const make = (limit: RateLimit | undefined): { limit: RateLimit, bucket: TokenBucket } | undefined =>
      limit === undefined ? undefined : { limit, bucket: new TokenBucket({ ratePerSecond: limit.ratePerSecond, capacity: limit.burst }, nowMs) }
    this.#messages = make(limits.messages)
    this.#bytes = make(limits.bytes)
  }

  /** Charges one received message; the overrun when the bucket is empty. */
  message (nowMs: number): RateOverrun | undefined {
    return charge('messages', this.#messages, 1, nowMs)
  }

  /** Charges `count` received bytes; the overrun when the bucket holds fewer. */
  bytes (count: number, nowMs: number): RateOverrun | undefined {
    return charge('bytes', this.#bytes, count, nowMs)
  }
}

function charge (kind: RateLimitKind, slot: { limit: RateLimit, bucket: TokenBucket } | undefined, count: number, nowMs: number): RateOverrun | undefined {
  if (slot === undefined || slot.bucket.take(nowMs, count)) return undefined
  return { kind, ...slot.limit }
}
