import type { NetAddress } from '../netaddr/netaddress.ts'
import { BACKOFF_MODES, type BackoffMode, type BackoffPolicy } from './backoff.ts'
import type { ConnReq } from './conn-req.ts'
import { DEFAULT_CHURN_HALF_LIFE_MS } from './churn-rate.ts'
import { ConnManagerConfigError } from './errors.ts'
import { DEFAULT_RETURN_MIN_TENURE_MS, DEFAULT_RETURN_WINDOW_MS, type ReturnSettings } from './returns.ts'
import { DEFAULT_ROTATION_MIN_TENURE_MS, DEFAULT_ROTATION_SPACING_MS, type RotationSettings } from './rotation.ts'

/** btcd's defaultTargetOutbound: eight outbound peers, as in Bitcoin Core. */
export const DEFAULT_TARGET_OUTBOUND = 8
/** btcd's defaultRetryDuration: the first retry delay of a permanent peer and the failure throttle. */
export const DEFAULT_RETRY_DURATION_MS = 5_000
/** btcd's maxRetryDuration: a permanent peer is retried at least every 5 minutes. */
export const DEFAULT_MAX_RETRY_DURATION_MS = 300_000
/** ±20%: enough to spread retries of peers that failed together, small enough to keep the schedule readable. */
export const DEFAULT_BACKOFF_JITTER = 0.2
/**
 * Extra automatic dials may run beside the target ones, up to four times the target in flight: with a
 * book where a quarter of the peers accept TCP and never speak, twice the target was still filled by
 * silent dials waiting out the handshake timeout (bench measurement 2b); four times keeps the slots moving.
 */
export const PENDING_DIALS_PER_TARGET = 4
/** An empty address book usually fills within a second of seeding; asking again sooner would only spin. */
export const DEFAULT_NO_ADDRESS_RETRY_MS = 1_000

export interface ConnManagerInit<C> {
  /** Automatic outbound connections to keep (default 8; 0 = none, only permanent requests). */
  targetOutbound?: number
  /** First retry delay of a permanent request, and the throttle after 25 failures (default 5000). */
  retryDurationMs?: number
  /** Longest retry delay (default 300000). */
  maxRetryDurationMs?: number
  /** 'exponential' (default): retry×2^(n−1); 'linear': btcd's n×retry. */
  backoff?: BackoffMode
  /** Fraction each retry delay is spread by, uniformly (default 0.2 = ±20%; 0 = none, as btcd). */
  backoffJitter?: number
  onConnection?(req: ConnReq, conn: C): void
  onDisconnection?(req: ConnReq): void
  /** Where automatic requests get their address; without it there is no automatic outbound. */
  getNewAddress?(): NetAddress | Promise<NetAddress>
  /** Automatic requests pending at once, counting staggered extras (default 4 × targetOutbound). */
  maxPendingDials?: number
  /**
   * How long an automatic dial may be in flight before one more is started beside it. Default: follows
   * the dials seen to succeed (stagger.ts: 3 × their median, within 25–2000 ms; 500 ms before the first).
   */
  dialStaggerMs?: number
  /** Wait before asking getNewAddress again after it threw (default 1000). */
  noAddressRetryMs?: number
  /** What this manager's connections are for, carried in its events (a node runs one per outbound kind). */
  kind?: string
  /**
   * Rotate the longest-held automatic connection at `factor` times the rate automatic peers leave on
   * their own (rotation.ts). @default off (factor 0)
   */
  rotation?: Partial<RotationSettings>
  /**
   * An automatic peer that leaves on its own is redialed for `windowMs` and takes its slot back from the
   * stand-in if it answers (returns.ts); `windowMs: 0` turns returns off. @default on, 20 minutes, 1 minute
   * of tenure before a peer that returned may return again
   */
  returns?: Partial<ReturnSettings>
  /**
   * Whether an automatic address whose dial failed is owed its slot all the same, and keeps a claim as a
   * departed peer would (the node: an anchor). Only with returns on. @default never
   */
  claimOnFailure?(addr: NetAddress): boolean
}

/** The numeric options, validated and with defaults filled in. */
export interface ConnManagerSettings {
  readonly targetOutbound: number
  readonly backoff: BackoffPolicy
  readonly maxPendingDials: number
  /** Fixed stagger; undefined = adaptive. */
  readonly dialStaggerMs: number | undefined
  readonly noAddressRetryMs: number
  /** Undefined: no rotation. */
  readonly rotation: RotationSettings | undefined
  /** Undefined: no returns. */
  readonly returns: ReturnSettings | undefined
}

function integer (name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConnManagerConfigError(`connection manager: ${name} is ${value} (expected an integer >= ${min})`)
  }
  return value
}

export function resolveSettings (init: ConnManagerInit<unknown>): ConnManagerSettings {
  const targetOutbound = integer('targetOutbound', init.targetOutbound ?? DEFAULT_TARGET_OUTBOUND, 0)
  const retryDurationMs = integer('retryDurationMs', init.retryDurationMs ?? DEFAULT_RETRY_DURATION_MS, 1)
  const maxRetryDurationMs = integer('maxRetryDurationMs', init.maxRetryDurationMs ?? DEFAULT_MAX_RETRY_DURATION_MS, 1)
  const mode = init.backoff ?? 'exponential'
  if (!BACKOFF_MODES.includes(mode)) {
    throw new ConnManagerConfigError(`connection manager: backoff is "${String(mode)}" (expected ${BACKOFF_MODES.join(' or ')})`)
  }
  const jitter = init.backoffJitter ?? DEFAULT_BACKOFF_JITTER
  if (!(jitter >= 0 && jitter < 1)) {
    throw new ConnManagerConfigError(`connection manager: backoffJitter is ${jitter} (expected a fraction 0 <= x < 1)`)
  }
  return {
    targetOutbound,
    backoff: { mode, retryDurationMs, maxRetryDurationMs, jitter },
    maxPendingDials: integer('maxPendingDials', init.maxPendingDials ?? PENDING_DIALS_PER_TARGET * targetOutbound, 0),
    dialStaggerMs: init.dialStaggerMs === undefined ? undefined : integer('dialStaggerMs', init.dialStaggerMs, 1),
    noAddressRetryMs: integer('noAddressRetryMs', init.noAddressRetryMs ?? DEFAULT_NO_ADDRESS_RETRY_MS, 1),
    rotation: rotationSettings(init.rotation),
    returns: returnSettings(init.returns)
  }
}

function rotationSettings (given: Partial<RotationSettings> | undefined): RotationSettings | undefined {
  const factor = given?.factor ?? 0
  if (!(Number.isFinite(factor) && factor >= 0)) {
    throw new ConnManagerConfigError(`connection manager: rotation factor is ${factor} (expected a number >= 0)`)
  }
  if (factor === 0) return undefined
  return {
    factor,
    halfLifeMs: integer('rotation halfLifeMs', given?.halfLifeMs ?? DEFAULT_CHURN_HALF_LIFE_MS, 1),
    minSpacingMs: integer('rotation minSpacingMs', given?.minSpacingMs ?? DEFAULT_ROTATION_SPACING_MS, 0),
    minTenureMs: integer('rotation minTenureMs', given?.minTenureMs ?? DEFAULT_ROTATION_MIN_TENURE_MS, 0)
  }
}

function returnSettings (given: Partial<ReturnSettings> | undefined): ReturnSettings | undefined {
  const windowMs = integer('returns windowMs', given?.windowMs ?? DEFAULT_RETURN_WINDOW_MS, 0)
  if (windowMs === 0) return undefined
  return { windowMs, minTenureMs: integer('returns minTenureMs', given?.minTenureMs ?? DEFAULT_RETURN_MIN_TENURE_MS, 0) }
}
