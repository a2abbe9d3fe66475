import { addrKey, toNetAddress } from '../netaddr/netaddress.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import { NamedError } from '../util/errors.ts'

/**
 * The persisted form of one address-book entry. JSON-safe (no bigint, no typed arrays) so the store can
 * keep it as a LevelDB JSON value under `key`. Bucket positions are stored so that loading 80,000 entries
 * does not rehash them; they are only valid together with the book key they were computed with.
 */
export interface AddrRecord {
  /** addrKey(addr): `1.2.3.4:8333`, `[2001:db8::1]:8333`, `….onion:8333`. */
  readonly key: string
  readonly addr: NetAddress
  /** Service bits as a decimal string (they are a uint64 on the wire). */
  readonly services: string
  /** Where we learnt it (the gossiping peer); null for seeds, the CLI and other local sources. */
  readonly source: NetAddress | null
  /** Last-seen time, Unix seconds. */
  readonly time: number
  /** Connection attempts since the last success. */
  readonly attempts: number
  /** Unix seconds; 0 = never. */
  readonly lastAttempt: number
  /** Last attempt that counted as a failure (Core's nLastCountAttempt), Unix seconds; 0 = never. */
  readonly lastCountAttempt: number
  /** Last successful handshake, Unix seconds; 0 = never. */
  readonly lastSuccess: number
  readonly tried: boolean
  /** New-table positions, each bucket * 64 + slot (empty when tried). */
  readonly newRefs: readonly number[]
  /** Tried-table position bucket * 64 + slot, or null when in new. */
  readonly triedPos: number | null
}

/** What changed since the last takeChanges(): records to write and keys to delete. */
export interface AddrChanges {
  readonly put: AddrRecord[]
  readonly del: string[]
}

/** The persistence face of the address book that the store codes against. */
export interface AddrRecordStore {
  /** Every entry, for a full rewrite (e.g. after the key changed or at first save). */
  exportRecords(): AddrRecord[]
  /** Entries changed or removed since the previous call; clears the dirty set. */
  takeChanges(): AddrChanges
  /**
   * Replaces the book's contents with `records` (already checked with parseAddrRecord), trusting their
   * bucket positions when a sample of tried records matches this book's key, else re-placing all by
   * hashing. A record whose position is out of range or taken is re-placed (and marked changed); a
   * duplicate, or one that no longer fits (collision, unacceptable address), is skipped and counted;
   * unacceptable ones are reported for deletion by the next takeChanges().
   */
  loadRecords(records: readonly AddrRecord[]): { loaded: number, skipped: number }
}

/** A stored record that does not have the expected shape. */
export class AddrRecordError extends NamedError {}

const UINT64_DECIMAL = /^\d{1,20}$/

/**
 * Checks a decoded JSON value and returns it as an AddrRecord; throws AddrRecordError naming `where`
 * and the field. The store calls it on every value it reads so a corrupt database is detected.
 */
export function parseAddrRecord (json: unknown, where: string): AddrRecord {
  const fail = (field: string, expected: string): never => {
    throw new AddrRecordError(`${where}: field "${field}" must be ${expected}`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('(record)', 'a JSON object')
  const o = json as Record<string, unknown>
  const addr = parseNetAddress(o.addr)
  if (addr === undefined) return fail('addr', 'a {network, host, port} address')
  if (o.key !== addrKey(addr)) fail('key', `"${addrKey(addr)}" (the key of addr)`)
  const source = o.source === null ? null : parseNetAddress(o.source)
  if (source === undefined) fail('source', 'null or a {network, host, port} address')
  if (typeof o.services !== 'string' || !UINT64_DECIMAL.test(o.services) || BigInt(o.services) >= 1n << 64n) {
    fail('services', 'a decimal uint64 string')
  }
  for (const field of ['time', 'attempts', 'lastAttempt', 'lastCountAttempt', 'lastSuccess'] as const) {
    const v = o[field]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(field, 'a non-negative integer')
  }
  if (typeof o.tried !== 'boolean') fail('tried', 'true or false')
  if (!Array.isArray(o.newRefs) || !o.newRefs.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
    fail('newRefs', 'an array of non-negative integers')
  }
  if (o.triedPos !== null && !(Number.isSafeInteger(o.triedPos) && (o.triedPos as number) >= 0)) {
    fail('triedPos', 'null or a non-negative integer')
  }
  return o as unknown as AddrRecord
}

function parseNetAddress (value: unknown): NetAddress | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { network, host, port } = value as Record<string, unknown>
  if (typeof host !== 'string' || typeof port !== 'number') return undefined
  const addr = toNetAddress(host, port)
  if (addr === undefined || addr.network !== network || addr.host !== host || !Number.isInteger(port) || port < 0 || port > 65535) return undefined
  return addr
}
