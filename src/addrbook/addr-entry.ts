import type { NetAddress } from '../netaddr/netaddress.ts'
import type { AddrRecord } from './record.ts'

/** Core's ADDRMAN_HORIZON: addresses not seen for 30 days are terrible. */
export const HORIZON_S = 30 * 24 * 3600
/** Core's ADDRMAN_RETRIES: this many attempts without ever succeeding make an address terrible. */
export const RETRIES = 3
/** Core's ADDRMAN_MAX_FAILURES within ADDRMAN_MIN_FAIL: 10 failures and no success for 7 days. */
export const MAX_FAILURES = 10
export const MIN_FAIL_S = 7 * 24 * 3600
/** A timestamp further ahead than this is a lie (or a broken clock). */
export const MAX_FUTURE_S = 10 * 60
/** An address tried this recently is never terrible: it may be a connection in progress. */
export const TERRIBLE_GRACE_S = 60
/**
 * How long an address whose node refused us for being on another network (wrong magic) is left alone:
 * such a node is misconfigured or serves another chain, and a day lets a repaired one back.
 */
export const REFUSED_HOLD_S = 24 * 3600
/** Within this time of an attempt the selection chance drops 100-fold, so one address is not hammered. */
export const RECENT_ATTEMPT_S = 10 * 60
const RECENT_ATTEMPT_CHANCE = 0.01
/** Each attempt since the last success scales the chance by 0.66, up to 8 attempts (Core's GetChance). */
const ATTEMPT_CHANCE_BASE = 0.66
const MAX_CHANCE_ATTEMPTS = 8
/** Timestamps at or before this (1973) are garbage from buggy peers (Core's net_processing check). */
const MIN_PLAUSIBLE_TIME_S = 100_000_000
/** What an absurd timestamp is replaced with: "seen 5 days ago", as Core does. */
const ABSURD_TIME_AGE_S = 5 * 24 * 3600
/** A re-announced address refreshes its time hourly if seen within a day, else daily (Core's AddSingle). */
const ONLINE_WINDOW_S = 24 * 3600
const ONLINE_UPDATE_INTERVAL_S = 3600
const OFFLINE_UPDATE_INTERVAL_S = 24 * 3600

/** The read-only view of an address-book entry that callers get from select() and get(). */
export interface AddrInfo {
  readonly key: string
  readonly addr: NetAddress
  /** The diversity group (netgroup.ts), computed with the book's allowLocal. */
  readonly group: string
  readonly services: bigint
  readonly source: NetAddress | undefined
  /** Last-seen time, Unix seconds. */
  readonly time: number
  readonly attempts: number
  /** Unix seconds, 0 = never (likewise below). */
  readonly lastAttempt: number
  readonly lastCountAttempt: number
  readonly lastSuccess: number
  readonly tried: boolean
  /** Unix seconds until which the address is not dialed (see AddrBook.refused); 0 = not refused. Not persisted. */
  readonly refusedUntil: number
  /** A BIP324 (v2) attempt fell back to v1: dial it with v1 (see AddrBook.setV1Only). Persisted. */
  readonly v1Only: boolean
}

/** The book's mutable entry; only addr-book.ts and tables.ts change it. */
export class AddrEntry implements AddrInfo {
  readonly key: string
  readonly addr: NetAddress
  readonly group: string
  readonly source: NetAddress | undefined
  readonly sourceGroup: string
  services: bigint
  time: number
  attempts = 0
  lastAttempt = 0
  lastCountAttempt = 0
  lastSuccess = 0
  tried = false
  refusedUntil = 0
  v1Only = false
  /** New-table positions (bucket * 64 + slot); its length is Core's nRefCount. */
  newPos: number[] = []
  /** Tried-table position, -1 while in new. */
  triedPos = -1
  /** The number the tables hold for this entry. */
  id = -1
  /** Index in the book's dense list used for uniform sampling. */
  denseIndex = -1

  constructor (key: string, addr: NetAddress, group: string, source: NetAddress | undefined, sourceGroup: string, services: bigint, time: number) {
    this.key = key
    this.addr = addr
    this.group = group
    this.source = source
    this.sourceGroup = sourceGroup
    this.services = services
    this.time = time
  }

  toRecord (): AddrRecord {
    return {
      key: this.key,
      addr: this.addr,
      services: this.services.toString(),
      source: this.source ?? null,
      time: this.time,
      attempts: this.attempts,
      lastAttempt: this.lastAttempt,
      lastCountAttempt: this.lastCountAttempt,
      lastSuccess: this.lastSuccess,
      tried: this.tried,
      newRefs: [...this.newPos],
      triedPos: this.triedPos < 0 ? null : this.triedPos,
      ...(this.v1Only ? { v1Only: true } : {})
    }
  }
}

/**
 * Core's IsTerrible: an address not worth keeping (it may be overwritten in new and is skipped when
 * sharing addresses). Never within a minute of an attempt, unless the node refused us for its network.
 */
export function isTerrible (info: AddrInfo, nowS: number): boolean {
  if (isRefused(info, nowS)) return true
  if (info.lastAttempt > 0 && nowS - info.lastAttempt <= TERRIBLE_GRACE_S) return false
  if (info.time > nowS + MAX_FUTURE_S) return true
  if (nowS - info.time > HORIZON_S) return true
  if (info.lastSuccess === 0 && info.attempts >= RETRIES) return true
  if (nowS - info.lastSuccess > MIN_FAIL_S && info.attempts >= MAX_FAILURES) return true
  return false
}

/** Whether the address is held back after its node refused us for being on another network. */
export function isRefused (info: AddrInfo, nowS: number): boolean {
  return info.refusedUntil > nowS
}

/** Core's GetChance: the relative probability that select() accepts this entry when it lands on it. */
export function selectionChance (info: AddrInfo, nowS: number): number {
  let chance = 1
  if (info.lastAttempt > 0 && nowS - info.lastAttempt < RECENT_ATTEMPT_S) chance *= RECENT_ATTEMPT_CHANCE
  return chance * ATTEMPT_CHANCE_BASE ** Math.min(info.attempts, MAX_CHANCE_ATTEMPTS)
}

/** An announced timestamp made believable: one before 1973 or in the future becomes "5 days ago". */
export function plausibleTime (announcedS: number, nowS: number): number {
  return announcedS <= MIN_PLAUSIBLE_TIME_S || announcedS > nowS + MAX_FUTURE_S ? nowS - ABSURD_TIME_AGE_S : announcedS
}

/** How much newer than an entry's time a re-announced time `timeS` must be to refresh it (Core's AddSingle). */
export function refreshInterval (timeS: number, nowS: number): number {
  return nowS - timeS < ONLINE_WINDOW_S ? ONLINE_UPDATE_INTERVAL_S : OFFLINE_UPDATE_INTERVAL_S
}
