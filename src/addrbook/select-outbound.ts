import type { NetAddress } from '../netaddr/netaddress.ts'
import { isRefused, type AddrInfo } from './addr-entry.ts'

/** btcd/Core give up after this many draws; the connection manager asks again later. */
export const MAX_OUTBOUND_TRIES = 100
/** During the first 30 draws an address tried in the last 10 minutes is skipped (spread attempts out). */
export const RECENT_TRY_SKIP_TRIES = 30
export const RECENT_TRY_MS = 10 * 60 * 1000
/** During the first 50 draws only the network's default port is taken (Core ≤ v22, btcd, bcoin). */
export const DEFAULT_PORT_TRIES = 50

/** What selectOutbound needs from the address book. */
export interface OutboundBook {
  select(newOnly?: boolean): AddrInfo | undefined
  attempt(addr: NetAddress, countFailure: boolean): void
}

export interface OutboundSelectOptions {
  nowMs: number
  defaultPort: number
  /** addrKey of every address connected or being dialed (include -addnode/-connect targets). */
  inUseKeys: ReadonlySet<string>
  /** Groups (book.groupKey) of outbound peers, counting dials in flight, not only finished handshakes. */
  inUseGroups: ReadonlySet<string>
  isBanned(addr: NetAddress): boolean
  /**
   * Whether this attempt may count as a failure against the address (Core PR#8065's offline guard):
   * the node passes countsFailures(...) so a node without working connections does not blame peers.
   * Default true.
   */
  countFailure?: boolean
  /**
   * False skips the address: --onlynet's other networks (seeding and gossip still learn them) and our own
   * addresses (node/local-addresses.ts).
   */
  mayDial?(addr: NetAddress): boolean
  /** How long a tried address is skipped in the early draws. @default RECENT_TRY_MS (Core's 10 minutes) */
  recentTryMs?: number
}

/**
 * The connection manager's getNewAddress: draw from the book up to 100 times and take the first address
 * that is not banned, not refused (AddrBook.refused), not in use, not in a group already used by an
 * outbound peer or dial, and — during
 * the early tiers — not tried in the last 10 minutes and on the default port. The chosen address gets
 * attempt() before it is returned. Undefined if nothing qualifies.
 */
export function selectOutbound (book: OutboundBook, options: OutboundSelectOptions): NetAddress | undefined {
  const recentTryMs = options.recentTryMs ?? RECENT_TRY_MS
  for (let tries = 0; tries < MAX_OUTBOUND_TRIES; tries++) {
    const info = book.select()
    if (info === undefined) return undefined
    if (options.inUseKeys.has(info.key) || options.inUseGroups.has(info.group)) continue
    if (isRefused(info, Math.floor(options.nowMs / 1000))) continue
    if (tries < RECENT_TRY_SKIP_TRIES && info.lastAttempt > 0 && options.nowMs - info.lastAttempt * 1000 < recentTryMs) continue
    if (tries < DEFAULT_PORT_TRIES && info.addr.port !== options.defaultPort) continue
    if (options.isBanned(info.addr)) continue
    if (options.mayDial?.(info.addr) === false) continue
    book.attempt(info.addr, options.countFailure ?? true)
    return info.addr
  }
  return undefined
}

/** Core counts failures only once outbound peers span this many groups (or maxconn − 1 if smaller). */
const ONLINE_MIN_GROUPS = 2

/**
 * The offline guard: attempts count as failures only while the node is evidently online, i.e. its
 * established outbound peers span at least min(targetOutbound − 1, 2) distinct groups.
 */
export function countsFailures (establishedOutboundGroups: number, targetOutbound: number): boolean {
  return establishedOutboundGroups >= Math.min(targetOutbound - 1, ONLINE_MIN_GROUPS)
}
