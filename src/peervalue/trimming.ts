import { PeerValueInputError } from './errors.ts'

/**
 * Trimming between a high and a low water mark (go-libp2p's BasicConnMgr, js-libp2p's pruner): when the
 * node holds highWater connections or more, it closes the least valuable ones until lowWater remain,
 * sparing protected connections and those still in their grace period. Pure: the shell (PeerValue)
 * decides when to ask and closes what comes back.
 */

/** go-libp2p's default grace period: a new connection has a minute to earn its value before it can be trimmed. */
export const DEFAULT_GRACE_PERIOD_MS = 60_000
/** go-libp2p's default silence period: at most one trim every 10 s, so a trim's closes settle first. */
export const DEFAULT_SILENCE_PERIOD_MS = 10_000
/** Under event-loop overload, each trim closes this share of the unprotected inbound peers (at least one). */
export const OVERLOAD_TRIM_FRACTION = 0.1

export interface TrimCandidate {
  readonly id: number
  readonly connectedAtMs: number
  /** The peer's tag value. */
  readonly value: number
  /** Never trimmed (protected under a tag, permanent, whitelisted). */
  readonly protected: boolean
  readonly inbound: boolean
}

export interface TrimSettings {
  /** Trim down to this many connections. 0 = trimming off. */
  readonly lowWater: number
  /** Trim when this many connections are open. 0 = trimming off. */
  readonly highWater: number
  readonly gracePeriodMs: number
}

/** Checks a settings slice: both marks whole numbers, low below high, or both 0 (off). */
export function checkTrimSettings (s: TrimSettings): TrimSettings {
  for (const [field, v] of [['lowWater', s.lowWater], ['highWater', s.highWater], ['gracePeriodMs', s.gracePeriodMs]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new PeerValueInputError(`${field} must be a whole number >= 0, got ${v}`)
  }
  if ((s.lowWater === 0) !== (s.highWater === 0)) throw new PeerValueInputError('lowWater and highWater must be set together')
  if (s.highWater > 0 && s.lowWater >= s.highWater) throw new PeerValueInputError(`lowWater (${s.lowWater}) must be below highWater (${s.highWater})`)
  return s
}

/** Least valuable first; on equal value the shortest-lived first (it has shown the least); then the higher id. */
function trimOrder (a: TrimCandidate, b: TrimCandidate): number {
  return a.value - b.value || b.connectedAtMs - a.connectedAtMs || b.id - a.id
}

function trimmable (conns: readonly TrimCandidate[], gracePeriodMs: number, nowMs: number): TrimCandidate[] {
  return conns.filter((c) => !c.protected && nowMs - c.connectedAtMs >= gracePeriodMs).sort(trimOrder)
}

/** Whether the count calls for a trim (at or above the high water mark; never when off). */
export function needsTrim (connections: number, s: TrimSettings): boolean {
  return s.highWater > 0 && connections >= s.highWater
}

/**
 * The connections to close, in order. As in go-libp2p, only trimmable connections (unprotected, past their
 * grace period) count towards the excess: target = trimmable − lowWater, so protected and new connections
 * are neither closed nor make others pay for them.
 */
export function selectTrimVictims (conns: readonly TrimCandidate[], s: TrimSettings, nowMs: number): TrimCandidate[] {
  if (s.highWater === 0 || conns.length <= s.lowWater) return []
  const candidates = trimmable(conns, s.gracePeriodMs, nowMs)
  const target = candidates.length - s.lowWater
  return target > 0 ? candidates.slice(0, target) : []
}

/** Under overload: the lowest-valued tenth of the trimmable inbound connections (at least one, if any). */
export function selectOverloadVictims (conns: readonly TrimCandidate[], gracePeriodMs: number, nowMs: number): TrimCandidate[] {
  const inbound = trimmable(conns.filter((c) => c.inbound), gracePeriodMs, nowMs)
  return inbound.slice(0, Math.max(1, Math.ceil(inbound.length * OVERLOAD_TRIM_FRACTION)))
}
