import { addrKey } from '../netaddr/netaddress.ts'
import type { AddrRecord } from './record.ts'

/** One address-book record as `peerkeeper addrbook list --json` and the RPC `listaddresses` show it. */
export interface AddressRecordJson {
  readonly address: string
  readonly network: string
  readonly table: 'tried' | 'new'
  /** Decimal: a uint64 does not fit a JSON number. */
  readonly services: string
  /** Seconds since the epoch; 0 = never. */
  readonly lastSeen: number
  readonly attempts: number
  readonly lastAttempt: number
  readonly lastSuccess: number
  /** Who told us of it (`host:port`), or null for a seed or an operator. */
  readonly source: string | null
}

/** Tried entries first, then the most recently seen. */
export function listOrder (a: AddrRecord, b: AddrRecord): number {
  return Number(b.tried) - Number(a.tried) || b.time - a.time || (a.key < b.key ? -1 : 1)
}

export function recordJson (r: AddrRecord): AddressRecordJson {
  return {
    address: r.key,
    network: r.addr.network,
    table: r.tried ? 'tried' : 'new',
    services: r.services,
    lastSeen: r.time,
    attempts: r.attempts,
    lastAttempt: r.lastAttempt,
    lastSuccess: r.lastSuccess,
    source: r.source === null ? null : addrKey(r.source)
  }
}

/** The book's records in list order, at most `limit` (undefined or 0 = all). */
export function listRecords (records: AddrRecord[], limit: number | undefined): AddressRecordJson[] {
  const sorted = records.sort(listOrder)
  return (limit === undefined || limit === 0 ? sorted : sorted.slice(0, limit)).map(recordJson)
}
