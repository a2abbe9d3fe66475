import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import type { AddrChanges, AddrRecord } from '../addrbook/record.ts'
import type { BanChange, BanEntry, BanList } from '../banlist/ban-list.ts'
import type { Logger } from '../log/logger.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import { addrPageKey, changesByPage, decodeAddrPage, newDecodeCache, rewriteAddrPage } from './addr-codec.ts'
import { decodeAnchors, decodeBanEntry, decodeBookKey, encodeAnchors, encodeBookKey } from './decode.ts'
import { DataDirLockedError, StoreCorruptError } from './errors.ts'
import { moveAside } from './move-aside.ts'

/** Bumped when the key layout or a value format changes; a database of another version is moved aside. */
export const SCHEMA_VERSION = 2

/** The LevelDB folder inside the data directory. */
export const DB_DIR_NAME = 'db'

/** Core keeps 2 block-relay anchors: enough to survive a restart, too few to pin the node to stale peers. */
export const MAX_ANCHORS = 2

const META_SCHEMA = 'schema'
const META_BOOK_KEY = 'addrbook-key'
const META_ANCHORS = 'anchors'

/** Every write is fsynced: writes are rare (a batch a minute, bans), and a power cut should not cost them. */
const WRITE_OPTIONS = { sync: true } as const

type Db = Level<string, unknown>
type Sub = ReturnType<typeof jsonSublevel>
type PageSub = ReturnType<typeof pageSublevel>

export interface NodeStoreComponents {
  logger: Logger
  clock: Clock
}

export interface NodeStoreInit {
  /**
   * Delete the saved anchors once read, as Core does with anchors.dat, so a crash after start never
   * reuses them. Offline tools that only inspect the data directory pass false.
   * @default true
   */
  consumeAnchors?: boolean
}

/** What was on disk when the store opened. */
export interface StoreContents {
  /** The address book's secret key; undefined for a new database (the book makes one; save it). */
  addrBookKey: Uint8Array | undefined
  addrRecords: AddrRecord[]
  /** The peers saved at the last clean shutdown, to be dialed first. */
  anchors: NetAddress[]
}

interface Loaded extends StoreContents {
  bans: BanEntry[]
}

/**
 * The node's LevelDB (one per data directory): schema version and address-book key under `meta`, the
 * address records in pages under `addr` (addr-codec.ts), one entry per ban under `ban`. Everything is
 * read and checked when the store opens, so a database that does not decode is found (and moved aside)
 * before the node uses it. Writes go through one queue, in order.
 */
export class NodeStore {
  readonly datadir: string
  /** The LevelDB folder. */
  readonly path: string
  /** Where a database that could not be used was moved, if that happened on open. */
  readonly movedAside: string | undefined
  readonly #db: Db
  readonly #meta: Sub
  readonly #addr: PageSub
  readonly #ban: Sub
  readonly #logger: Logger
  #loaded: Loaded | undefined
  #bans: BanEntry[]
  #tail: Promise<void> = Promise.resolve()
  #unbind: (() => void) | undefined
  #closed = false

  private constructor (datadir: string, path: string, db: Db, loaded: Loaded, logger: Logger, movedAside: string | undefined) {
    this.datadir = datadir
    this.path = path
    this.#db = db
    this.#meta = subs(db).meta
    this.#addr = subs(db).addr
    this.#ban = subs(db).ban
    this.#loaded = loaded
    this.#bans = loaded.bans
    this.#logger = logger
    this.movedAside = movedAside
  }

  /**
   * Opens (creating if needed) the database of `datadir`. Throws DataDirLockedError if another process
   * has it open. A database that cannot be used is renamed to `<path>.corrupt-<time>` with a warning,
   * and a new one is started.
   */
  static async open (datadir: string, components: NodeStoreComponents, init: NodeStoreInit = {}): Promise<NodeStore> {
    const { logger, clock } = components
    const path = join(datadir, DB_DIR_NAME)
    const consumeAnchors = init.consumeAnchors ?? true
    await mkdir(datadir, { recursive: true })
    let movedAside: string | undefined
    let opened: { db: Db, loaded: Loaded }
    try {
      opened = await openAndLoad(datadir, path, consumeAnchors)
    } catch (err) {
      if (!(err instanceof StoreCorruptError)) throw err
      movedAside = await moveAside(path, clock.now())
      logger.event('store_moved_aside', { path, movedTo: movedAside, reason: err.message },
        `database ${path} cannot be used (${err.message}); moved it to ${movedAside} and started a new one`, 'warn')
      opened = await openAndLoad(datadir, path, consumeAnchors)
    }
    const { db, loaded } = opened
    logger.event('store_opened', { path, addrRecords: loaded.addrRecords.length, bans: loaded.bans.length, anchors: loaded.anchors.length },
      `opened ${path}: ${loaded.addrRecords.length} addresses, ${loaded.bans.length} bans, ${loaded.anchors.length} anchors`)
    return new NodeStore(datadir, path, db, loaded, logger, movedAside)
  }

  /** Hands over what was read at open (once: the records are then the address book's to keep). */
  takeContents (): StoreContents {
    const loaded = this.#loaded
    if (loaded === undefined) throw new Error('NodeStore.takeContents() may be called only once')
    this.#loaded = undefined
    return { addrBookKey: loaded.addrBookKey, addrRecords: loaded.addrRecords, anchors: loaded.anchors }
  }

  /** Saves the address book's key; bucket positions in the records are only valid with it. */
  async saveAddrBookKey (key: Uint8Array): Promise<void> {
    await this.#write([{ type: 'put', sublevel: this.#meta, key: META_BOOK_KEY, value: encodeBookKey(key) }])
  }

  /**
   * Writes a set of address-book changes as one atomic batch that rewrites the pages they touch. The
   * pages are read inside the write queue, so they reflect every earlier write.
   */
  async writeAddrChanges (changes: AddrChanges): Promise<void> {
    if (changes.put.length === 0 && changes.del.length === 0) return
    const byPage = changesByPage(changes)
    const addr = this.#addr
    await this.#enqueue(async () => {
      const pages = [...byPage]
      const texts = await addr.getMany(pages.map(([page]) => addrPageKey(page)))
      const ops = pages.map(([page, change], i): WriteOp => {
        const key = addrPageKey(page)
        const text = rewriteAddrPage(texts[i], change)
        return text === undefined ? { type: 'del', sublevel: addr, key } : { type: 'put', sublevel: addr, key, value: text }
      })
      await writeBatch(this.#db, ops)
    })
  }

  /**
   * Loads the stored bans into `banList` and from then on writes each ban change at once (errors are
   * logged). Expired stored bans are dropped and deleted. One ban list per store.
   */
  bindBanList (banList: BanList): void {
    if (this.#unbind !== undefined) throw new Error('NodeStore.bindBanList() may be called only once')
    const onChanged = (change: BanChange): void => {
      const target = change.entry.target
      const op: WriteOp = change.type === 'added'
        ? { type: 'put', sublevel: this.#ban, key: target, value: change.entry }
        : { type: 'del', sublevel: this.#ban, key: target }
      this.#write([op]).catch((err: unknown) => {
        this.#logger.event('store_write_failed', { path: this.path, what: 'ban', target, error: (err as Error).message },
          `could not write ban ${target} to ${this.path}: ${(err as Error).message}`, 'error')
      })
    }
    banList.on('changed', onChanged)
    this.#unbind = () => { banList.off('changed', onChanged) }
    banList.load(this.#bans)
    this.#bans = []
  }

  /** Saves up to MAX_ANCHORS peers to dial first at the next start (call at a clean shutdown). */
  async saveAnchors (addrs: readonly NetAddress[]): Promise<void> {
    await this.#write([{ type: 'put', sublevel: this.#meta, key: META_ANCHORS, value: encodeAnchors(addrs.slice(0, MAX_ANCHORS)) }])
  }

  /** Waits for queued writes, then closes the database. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#unbind?.()
    await this.#tail
    await this.#db.close()
  }

  #write (ops: WriteOp[]): Promise<void> {
    return this.#enqueue(() => writeBatch(this.#db, ops))
  }

  /** Runs writes one after another in call order; a failed write fails its caller only. */
  #enqueue (job: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`store ${this.path} is closed`))
    const run = this.#tail.then(job)
    this.#tail = run.catch(() => {})
    return run
  }
}

function jsonSublevel (db: Db, name: string) {
  return db.sublevel<string, unknown>(name, { valueEncoding: 'json' })
}

/** Address pages are kept as text and parsed by addr-codec.ts, so a page that is not JSON is named. */
function pageSublevel (db: Db) {
  return db.sublevel<string, string>('addr', { valueEncoding: 'utf8' })
}

function subs (db: Db): { meta: Sub, addr: PageSub, ban: Sub } {
  return { meta: jsonSublevel(db, 'meta'), addr: pageSublevel(db), ban: jsonSublevel(db, 'ban') }
}

type WriteOp = { type: 'put', sublevel: Sub | PageSub, key: string, value: unknown } | { type: 'del', sublevel: Sub | PageSub, key: string }

/** All writes are root batches: atomic, fsynced, and able to span sublevels. */
async function writeBatch (db: Db, ops: WriteOp[]): Promise<void> {
  await db.batch(ops, WRITE_OPTIONS)
}

/** Opens the LevelDB at `path` and reads everything; anything unusable becomes StoreCorruptError. */
async function openAndLoad (datadir: string, path: string, consumeAnchors: boolean): Promise<{ db: Db, loaded: Loaded }> {
  const db: Db = new Level<string, unknown>(path, { valueEncoding: 'json' })
  try {
    await db.open()
  } catch (err) {
    const cause = (err as { cause?: { code?: string, message?: string } }).cause
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new DataDirLockedError(`data directory ${datadir} is in use by another running peerkeeper (its database ${path} is locked)`)
    }
    throw new StoreCorruptError(`failed to open: ${cause?.message ?? (err as Error).message}`)
  }
  try {
    const loaded = await load(db, path)
    if (consumeAnchors && loaded.anchors.length > 0) await writeBatch(db, [{ type: 'del', sublevel: subs(db).meta, key: META_ANCHORS }])
    return { db, loaded }
  } catch (err) {
    await db.close()
    if (err instanceof StoreCorruptError) throw err
    throw new StoreCorruptError(`failed to read: ${(err as Error).message}`)
  }
}

async function load (db: Db, path: string): Promise<Loaded> {
  const { meta, addr, ban } = subs(db)
  const schema = await meta.get(META_SCHEMA)
  if (schema === undefined) {
    const [anyKey] = await db.keys({ limit: 1 }).all()
    if (anyKey !== undefined) throw new StoreCorruptError('it holds data but no schema version')
    await writeBatch(db, [{ type: 'put', sublevel: meta, key: META_SCHEMA, value: SCHEMA_VERSION }])
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
  const storedAnchors = await meta.get(META_ANCHORS)
  const anchors = storedAnchors === undefined ? [] : decodeAnchors(storedAnchors, `${path} meta/${META_ANCHORS}`)
  return { addrBookKey, addrRecords, anchors, bans }
}
