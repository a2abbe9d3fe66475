import { addrKey, toNetAddress } from '../netaddr/netaddress.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import { AddrRecordError } from './errors.ts'

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
  /** A v2 (BIP324) attempt fell back to v1: dial with v1. Absent = false (records written before it existed). */
  readonly v1Only?: boolean
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

/** What each record field must be; the store's compact decoder names fields with the same words. */
export const ADDR_FIELD_EXPECTED = {
  addr: 'a {network, host, port} address',
  source: 'null or a {network, host, port} address',
  services: 'a decimal uint64 string',
  count: 'a non-negative integer',
  tried: 'true or false',
  newRefs: 'an array of non-negative integers',
  triedPos: 'null or a non-negative integer',
  v1Only: 'absent, true or false'
} as const

const UINT64_DECIMAL = /^\d{1,20}$/
const UINT64_LIMIT = '18446744073709551616' // 2^64: 20 digits, so equal-length strings compare like numbers

/** A decimal uint64 string (service bits). Only 20-digit strings can overflow, so BigInt is rarely needed. */
export function isUint64Decimal (value: unknown): value is string {
  return typeof value === 'string' && UINT64_DECIMAL.test(value) && (value.length < 20 || value < UINT64_LIMIT)
}

/** A time, counter or table position: a non-negative integer. */
export function isCount (value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

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
  if (addr === undefined) return fail('addr', ADDR_FIELD_EXPECTED.addr)
  if (o.key !== addrKey(addr)) fail('key', `"${addrKey(addr)}" (the key of addr)`)
  const source = o.source === null ? null : parseNetAddress(o.source)
  if (source === undefined) fail('source', ADDR_FIELD_EXPECTED.source)
  if (!isUint64Decimal(o.services)) fail('services', ADDR_FIELD_EXPECTED.services)
  for (const field of ['time', 'attempts', 'lastAttempt', 'lastCountAttempt', 'lastSuccess'] as const) {
    if (!isCount(o[field])) fail(field, ADDR_FIELD_EXPECTED.count)
  }
  if (typeof o.tried !== 'boolean') fail('tried', ADDR_FIELD_EXPECTED.tried)
  if (!Array.isArray(o.newRefs) || !o.newRefs.every(isCount)) fail('newRefs', ADDR_FIELD_EXPECTED.newRefs)
  if (o.triedPos !== null && !isCount(o.triedPos)) fail('triedPos', ADDR_FIELD_EXPECTED.triedPos)
  if (o.v1Only !== undefined && typeof o.v1Only !== 'boolean') fail('v1Only', ADDR_FIELD_EXPECTED.v1Only)
  return o as unknown as AddrRecord
}

/**
 * The address whose addrKey is exactly `key` (canonical host, canonical port 0-65535), or undefined.
 * Canonical dotted IPv4, nearly every stored key, is checked by hand: the general parser costs far more.
 */
export function addressOfKey (key: string): NetAddress | undefined {
  const bracketed = key.charCodeAt(0) === 0x5b // '['
  const colon = key.lastIndexOf(':')
  if (colon < 0) return undefined
  const port = canonicalPort(key, colon + 1)
  if (port === undefined) return undefined
  if (!bracketed) {
    const host = key.slice(0, colon)
    if (isCanonicalIPv4(host)) return { network: 'ipv4', host, port }
  } else if (key.charCodeAt(colon - 1) !== 0x5d) { // ']'
    return undefined
  }
  const addr = toNetAddress(bracketed ? key.slice(1, colon - 1) : key.slice(0, colon), port)
  return addr !== undefined && addrKey(addr) === key ? addr : undefined
}

function parseNetAddress (value: unknown): NetAddress | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { network, host, port } = value as Record<string, unknown>
  if (typeof host !== 'string' || !Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) return undefined
  if (network === 'ipv4' && isCanonicalIPv4(host)) return { network, host, port: port as number }
  const addr = toNetAddress(host, port as number)
  if (addr === undefined || addr.network !== network || addr.host !== host) return undefined
  return addr
}

/** `a.b.c.d` with each part 0-255 written without leading zeros: the form NetAddress keeps IPv4 in. */
function isCanonicalIPv4 (host: string): boolean {
  let parts = 0
  let value = 0
  let digits = 0
  for (let i = 0; i <= host.length; i++) {
    const code = i === host.length ? 0x2e : host.charCodeAt(i)
    if (code === 0x2e) { // '.' (or the end)
      if (digits === 0 || ++parts > 4) return false
      value = 0
      digits = 0
    } else if (code >= 0x30 && code <= 0x39) {
      if (digits === 1 && value === 0) return false // leading zero
      value = value * 10 + code - 0x30
      if (++digits > 3 || value > 255) return false
    } else {
      return false
    }
  }
  return parts === 4
}

/** The decimal port starting at `from` to the end of `key`, if canonical (no sign, no leading zero). */
function canonicalPort (key: string, from: number): number | undefined {
  const length = key.length - from
  if (length < 1 || length > 5 || (length > 1 && key.charCodeAt(from) === 0x30)) return undefined
  let port = 0
  for (let i = from; i < key.length; i++) {
    const code = key.charCodeAt(i)
    if (code < 0x30 || code > 0x39) return undefined
    port = port * 10 + code - 0x30
  }
  return port <= 65535 ? port : undefined
}
