import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import type { AddrRecord } from '../addrbook/record.ts'
import type { BanEntry } from '../banlist/ban-list.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import { newDecodeCache, decodeAddrPage } from './addr-codec.ts'
import { decodeAnchors, decodeBanEntry, decodeBookKey } from './decode.ts'
import { StoreAccessError, StoreCorruptError } from './errors.ts'
import { accessError, classifyStoreError } from './os-errors.ts'

/** Bumped when the key layout or a value format changes; a database of another version is moved aside. */
export const SCHEMA_VERSION = 2

export const META_SCHEMA = 'schema'
export const META_BOOK_KEY = 'addrbook-key'
export const META_ANCHORS = 'anchors'
/** Counts ban writes; banlist.json carries the same number, so the newer copy is known at open. */
export const META_BAN_GENERATION = 'ban-generation'

/** Every write is fsynced: writes are rare (a batch a minute, bans), and a power cut should not cost them. */
const WRITE_OPTIONS = { sync: true } as const

export type Db = Level<string, unknown>
export type Sub = ReturnType<typeof jsonSublevel>
export type PageSub = ReturnType<typeof pageSublevel>
export type WriteOp = { type: 'put', sublevel: Sub | PageSub, key: string, value: unknown } | { type: 'del', sublevel: Sub | PageSub, key: string }

/** What the database holds, read and checked. */
export interface Loaded {
  addrBookKey: Uint8Array | undefined
  addrRecords: AddrRecord[]
  anchors: NetAddress[]
  bans: BanEntry[]
  banGeneration: number
  /** A new, empty database: its schema version is still to be written. */
  needsSchema: boolean
}

export const EMPTY_LOADED: Readonly<Loaded> = { addrBookKey: undefined, addrRecords: [], anchors: [], bans: [], banGeneration: 0, needsSchema: true }

function jsonSublevel (db: Db, name: string) {
  return db.sublevel<string, unknown>(name, { valueEncoding: 'json' })
}

/** Address pages are kept as text and parsed by addr-codec.ts, so a page that is not JSON is named. */
function pageSublevel (db: Db) {
  return db.sublevel<string, string>('addr', { valueEncoding: 'utf8' })
}

export function subs (db: Db): { meta: Sub, addr: PageSub, ban: Sub } {
  return { meta: jsonSublevel(db, 'meta'), addr: pageSublevel(db), ban: jsonSublevel(db, 'ban') }
}

/** All writes are root batches: atomic, fsynced, and able to span sublevels. */
export async function writeBatch (db: Db, ops: WriteOp[]): Promise<void> {
  await db.batch(ops, WRITE_OPTIONS)
}

/** LevelDB files that hold data: tables, and write-ahead logs (when not empty). */
const DATA_FILE = /^\d+\.(ldb|sst|log)$/

/**
 * Whether `path` holds a LevelDB ('present': it has a CURRENT file) or not yet ('absent'). Throws
 * StoreAccessError when it is a file, and StoreCorruptError for data files without CURRENT: LevelDB
 * would start a new database over them and delete them.
 */
export async function dbState (path: string): Promise<'absent' | 'present'> {
  let names: string[]
  try {
    names = await readdir(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return 'absent'
    if (code === 'ENOTDIR') throw new StoreAccessError(`cannot open database ${path}: it is a file, not a directory; move it out of the way; nothing was moved or changed`)
    throw accessError(err, path, 'open database') ?? err
  }
  if (names.includes('CURRENT')) return 'present'
  const sizes = await Promise.all(names.filter((n) => DATA_FILE.test(n)).map(async (n) => (await stat(join(path, n))).size))
  const withData = sizes.filter((size) => size > 0).length
  if (withData > 0) throw new StoreCorruptError(`failed to open: it holds ${withData} data files but no CURRENT file`)
  return 'absent' // at most a database killed while being created: nothing was ever written to it
}

/** Opens the LevelDB at `path` (creating it when asked); failures are classified (os-errors.ts). */
export async function openDb (datadir: string, path: string, createIfMissing: boolean): Promise<Db> {
  const db: Db = new Level<string, unknown>(path, { valueEncoding: 'json', createIfMissing })
  try {
    await db.open()
  } catch (err) {
    throw classifyStoreError(err, datadir, path, 'open')
  }
  return db
}

/** Reads and checks everything in the database; classified errors, the database left open. */
export async function load (db: Db, datadir: string, path: string): Promise<Loaded> {
  try {
    return await loadUnclassified(db, path)
  } catch (err) {
    throw classifyStoreError(err, datadir, path, 'read')
  }
}

async function loadUnclassified (db: Db, path: string): Promise<Loaded> {
  const { meta, addr, ban } = subs(db)
  const schema = await meta.get(META_SCHEMA)
  if (schema === undefined) {
    const [anyKey] = await db.keys({ limit: 1 }).all()
    if (anyKey !== undefined) throw new StoreCorruptError('it holds data but no schema version')
    return { ...EMPTY_LOADED }
  } else if (schema !== SCHEMA_VERSION) {
    throw new StoreCorruptError(`unknown schema version ${JSON.stringify(schema)} (this peerkeeper reads version ${SCHEMA_VERSION})`)
  }
  const bookKey = await meta.get(META_BOOK_KEY)
  const addrBookKey = bookKey === undefined ? undefined : decodeBookKey(bookKey, `${path} meta/${META_BOOK_KEY}`)
  const addrRecords: AddrRecord[] = []
  const shared = newDecodeCache()
  for (const [key, text] of await addr.iterator().all()) decodeAddrPage(key, text, `${path} addr/${key}`, addrRecords, shared)
  if (addrRecords.length > 0 && addrBookKey === undefined) {
    throw new StoreCorruptError(`it holds ${addrRecords.length} address records but no address-book key`)
  }
  const bans = (await ban.iterator().all()).map(([key, value]) => decodeBanEntry(value, key, `${path} ban/${key}`))
  const storedGeneration = await meta.get(META_BAN_GENERATION)
  if (storedGeneration !== undefined && (!Number.isSafeInteger(storedGeneration) || (storedGeneration as number) < 0)) {
    throw new StoreCorruptError(`${path} meta/${META_BAN_GENERATION}: expected a whole number >= 0`)
  }
  const storedAnchors = await meta.get(META_ANCHORS)
  const anchors = storedAnchors === undefined ? [] : decodeAnchors(storedAnchors, `${path} meta/${META_ANCHORS}`)
  return { addrBookKey, addrRecords, anchors, bans, banGeneration: (storedGeneration as number | undefined) ?? 0, needsSchema: false }
}
