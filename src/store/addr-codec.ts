import { ADDR_FIELD_EXPECTED, addressOfKey, isCount, isUint64Decimal } from '../addrbook/record.ts'
import type { AddrChanges, AddrRecord } from '../addrbook/record.ts'
import { addrKey } from '../netaddr/netaddress.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import { StoreCorruptError } from './errors.ts'

/**
 * Address records are stored in pages, not one LevelDB entry each: at start a few thousand values are
 * read and parsed instead of 80,000, and a flush rewrites only the pages its changes touch (about 20
 * records each at 80,000 addresses). A record's page is a hash of its key; each page is a JSON array of
 * rows sorted by key, and a row is a fixed-order array. All of this is part of the schema (SCHEMA_VERSION).
 */
export const ADDR_PAGE_COUNT = 4096
const PAGE_KEY = /^[0-9a-f]{3}$/ // ADDR_PAGE_COUNT - 1 in hex is 3 digits

/**
 * [key, services, source key or null, time, attempts, lastAttempt, lastCountAttempt, lastSuccess, position,
 * flags?]. The tenth field was added within schema 2: rows without it (every row written before it, and
 * every row whose flags are 0) read as flags 0, so older stores load unchanged.
 */
type Row = [
  key: string, services: string, source: string | null,
  time: number, attempts: number, lastAttempt: number, lastCountAttempt: number, lastSuccess: number,
  /** Tried: the tried position (null if unknown, then the book re-places it). New: the new positions. */
  position: number | null | readonly number[],
  /** Bit 0: the address speaks only v1 (a BIP324 attempt fell back). Written only when not 0. */
  flags?: number
]
const ROW_FIELDS = 9
const ROW_FIELDS_WITH_FLAGS = 10
const FLAG_V1_ONLY = 1
const KNOWN_FLAGS = FLAG_V1_ONLY
const POSITION_EXPECTED = 'a tried position (a non-negative integer or null) or an array of new positions'
const NO_REFS: readonly number[] = Object.freeze([])

/**
 * The page of an address key: FNV-1a, folded so the low bits mix. Unkeyed on purpose: someone who
 * steers many addresses into one page only makes that page's rewrites bigger, and the book's own
 * bucket limits bound how many of its addresses one source gets in.
 */
export function addrPageOf (key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return ((h ^ (h >>> 16)) >>> 0) % ADDR_PAGE_COUNT
}

/** The LevelDB key of a page: 3 lower-case hex digits. */
export function addrPageKey (page: number): string {
  return page.toString(16).padStart(3, '0')
}

function encodeRow (r: AddrRecord): Row {
  const row: Row = [r.key, r.services, r.source === null ? null : addrKey(r.source), r.time, r.attempts, r.lastAttempt,
    r.lastCountAttempt, r.lastSuccess, r.tried ? r.triedPos : r.newRefs]
  if (r.v1Only === true) row.push(FLAG_V1_ONLY)
  return row
}

function encodeRows (rows: Iterable<Row>): string {
  return JSON.stringify([...rows].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

/** The text of a page holding exactly `records` (which must all belong to one page). */
export function encodeAddrPage (records: readonly AddrRecord[]): string {
  return encodeRows(records.map(encodeRow))
}

/** One page's share of a set of changes. */
export interface PageChanges {
  readonly put: AddrRecord[]
  readonly del: string[]
}

/** Splits changes by page. */
export function changesByPage (changes: AddrChanges): Map<number, PageChanges> {
  const pages = new Map<number, PageChanges>()
  const of = (key: string): PageChanges => {
    const page = addrPageOf(key)
    let entry = pages.get(page)
    if (entry === undefined) pages.set(page, entry = { put: [], del: [] })
    return entry
  }
  for (const r of changes.put) of(r.key).put.push(r)
  for (const key of changes.del) of(key).del.push(key)
  return pages
}

/**
 * The page after `change`: deletions first, then puts, so a key both removed and re-added in one set of
 * changes ends up present, as it is in the book. Undefined when the page is left empty (delete it).
 * `text` was checked when the store opened.
 */
export function rewriteAddrPage (text: string | undefined, change: PageChanges): string | undefined {
  const rows = new Map<string, Row>()
  if (text !== undefined) for (const row of JSON.parse(text) as Row[]) rows.set(row[0], row)
  for (const key of change.del) rows.delete(key)
  for (const r of change.put) rows.set(r.key, encodeRow(r))
  return rows.size === 0 ? undefined : encodeRows(rows.values())
}

/**
 * Checks every row of the page stored under `pageKey` and appends its records to `out`. `where` names
 * the page in errors; `shared` is one cache for all pages of a load. Throws StoreCorruptError naming the
 * record and field.
 */
export function decodeAddrPage (pageKey: string, text: string, where: string, out: AddrRecord[], shared: DecodeCache): void {
  if (!PAGE_KEY.test(pageKey)) throw new StoreCorruptError(`${where}: not a page key (expected 3 hex digits)`)
  const page = parseInt(pageKey, 16)
  let rows: unknown
  try {
    rows = JSON.parse(text)
  } catch (err) {
    throw new StoreCorruptError(`${where}: not JSON (${(err as Error).message})`)
  }
  if (!Array.isArray(rows) || rows.length === 0) throw new StoreCorruptError(`${where}: expected a non-empty array of records`)
  let previous = ''
  for (let i = 0; i < rows.length; i++) {
    const record = decodeRow(rows[i], where, i, shared)
    if (addrPageOf(record.key) !== page) throw new StoreCorruptError(`${recordName(where, i, record.key)}: belongs in page ${addrPageKey(addrPageOf(record.key))}`)
    if (!(previous < record.key)) throw new StoreCorruptError(`${recordName(where, i, record.key)}: repeated or out of key order`)
    previous = record.key
    out.push(record)
  }
}

/**
 * Values many records share, decoded once per load: a few peers are the source of most addresses, and
 * most carry one of a few service values. Sharing them also keeps the loaded book smaller.
 */
export interface DecodeCache {
  readonly sources: Map<string, NetAddress>
  readonly services: Map<string, string>
}

export function newDecodeCache (): DecodeCache {
  return { sources: new Map(), services: new Map() }
}

const COUNT_FIELDS = ['time', 'attempts', 'lastAttempt', 'lastCountAttempt', 'lastSuccess'] as const
const FIRST_COUNT_FIELD = 3

function decodeRow (row: unknown, where: string, index: number, shared: DecodeCache): AddrRecord {
  if (!Array.isArray(row) || (row.length !== ROW_FIELDS && row.length !== ROW_FIELDS_WITH_FLAGS)) {
    throw new StoreCorruptError(`${where} record ${index}: expected an array of ${ROW_FIELDS} or ${ROW_FIELDS_WITH_FLAGS} fields`)
  }
  const key: unknown = row[0]
  const addr = typeof key === 'string' ? addressOfKey(key) : undefined
  if (addr === undefined) return badField(where, index, key, 'key', 'the canonical key of an address with its port, such as "1.2.3.4:8333"')
  let services = shared.services.get(row[1] as string)
  if (services === undefined) {
    if (!isUint64Decimal(row[1])) return badField(where, index, key, 'services', ADDR_FIELD_EXPECTED.services)
    shared.services.set(row[1], services = row[1])
  }
  const sourceKey: unknown = row[2]
  let source: NetAddress | null = null
  if (sourceKey !== null) {
    source = typeof sourceKey === 'string' ? shared.sources.get(sourceKey) ?? addressOfKey(sourceKey) ?? null : null
    if (source === null) return badField(where, index, key, 'source', 'null or an address key such as "1.2.3.4:8333"')
    shared.sources.set(sourceKey as string, source)
  }
  for (let f = 0; f < COUNT_FIELDS.length; f++) {
    if (!isCount(row[FIRST_COUNT_FIELD + f])) badField(where, index, key, COUNT_FIELDS[f] ?? '', ADDR_FIELD_EXPECTED.count)
  }
  const position: unknown = row[8]
  const tried = position === null || typeof position === 'number'
  if (tried ? position !== null && !isCount(position) : !(Array.isArray(position) && position.every(isCount))) badField(where, index, key, 'position', POSITION_EXPECTED)
  const flags: unknown = row[9] ?? 0
  if (!isCount(flags) || (flags & ~KNOWN_FLAGS) !== 0) badField(where, index, key, 'flags', `absent or an integer of known flag bits (${KNOWN_FLAGS})`)
  const counts = row as Row // checked above
  return {
    key: key as string,
    addr,
    services,
    source,
    time: counts[3],
    attempts: counts[4],
    lastAttempt: counts[5],
    lastCountAttempt: counts[6],
    lastSuccess: counts[7],
    tried,
    newRefs: tried ? NO_REFS : position as number[],
    triedPos: tried ? position as number | null : null,
    ...((flags as number) & FLAG_V1_ONLY ? { v1Only: true } : {})
  }
}

function recordName (where: string, index: number, key: unknown): string {
  return `${where} record ${typeof key === 'string' ? JSON.stringify(key) : index}`
}

function badField (where: string, index: number, key: unknown, field: string, expected: string): never {
  throw new StoreCorruptError(`${recordName(where, index, key)}: field "${field}" must be ${expected}`)
}
