import type { Random } from '../util/random.ts'

export const BACKOFF_MODES = ['exponential', 'linear'] as const
export type BackoffMode = (typeof BACKOFF_MODES)[number]

export interface BackoffPolicy {
  readonly mode: BackoffMode
  /** The first delay, and the step of the linear mode. */
  readonly retryDurationMs: number
  /** No delay is ever longer than this. */
  readonly maxRetryDurationMs: number
  /** Each delay is spread uniformly over ±jitter of itself (0.2 = ±20%), so peers do not retry in lockstep. */
  readonly jitter: number
}

/**
 * The delay before retry number `retryCount` (1 for the first retry), without jitter:
 * exponential retry×2^(n−1), or btcd's linear n×retry, both capped at the maximum.
 */
export function baseRetryDelayMs (retryCount: number, policy: Omit<BackoffPolicy, 'jitter'>): number {
  const n = Math.max(1, retryCount)
  const delay = policy.mode === 'linear'
    ? n * policy.retryDurationMs
    // 2^1023 is the largest finite power; the cap applies long before.
    : policy.retryDurationMs * 2 ** Math.min(n - 1, 1023)
  return Math.min(delay, policy.maxRetryDurationMs)
}

/** baseRetryDelayMs with jitter drawn from `random`, in whole milliseconds, still capped at the maximum. */
export function retryDelayMs (retryCount: number, policy: BackoffPolicy, random: Random): number {
  const base = baseRetryDelayMs(retryCount, policy)
  if (policy.jitter === 0) return base
  const spread = 1 + policy.jitter * (2 * random.float() - 1)
  return Math.min(policy.maxRetryDurationMs, Math.round(base * spread))
}
