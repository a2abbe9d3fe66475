import { join } from 'node:path'
import type { AddrChanges, AddrRecord } from '../addrbook/record.ts'
import type { BanChange, BanEntry, BanList } from '../banlist/ban-list.ts'
import { nullEventSink, type EventSink } from '../util/event-bus.ts'
import type { StoreEventMap } from './events.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import { addrPageKey, changesByPage, rewriteAddrPage } from './addr-codec.ts'
import { BAN_FILE_NAME, writeBanFile } from './ban-file.ts'
import { reconcileBans } from './ban-reconcile.ts'
import { ensureDataDir, checkDataDir } from './data-dir.ts'
import { encodeAnchors, encodeBookKey } from './decode.ts'
import { StoreCorruptError } from './errors.ts'
import { moveAside } from './move-aside.ts'
import { accessError } from './os-errors.ts'
import { dbState, EMPTY_LOADED, load, META_ANCHORS, META_BAN_GENERATION, META_BOOK_KEY, META_SCHEMA, openDb, SCHEMA_VERSION, subs, writeBatch } from './store-db.ts'
import type { Db, Loaded, PageSub, Sub, WriteOp } from './store-db.ts'

export { SCHEMA_VERSION } from './store-db.ts'

/** The LevelDB folder inside the data directory. */
export const DB_DIR_NAME = 'db'

/** Core keeps 2 block-relay anchors: enough to survive a restart, too few to pin the node to stale peers. */
export const MAX_ANCHORS = 2

export interface NodeStoreComponents {
  clock: Clock
  /** Where the store's events go (the node's bus). @default dropped */
  events?: EventSink<StoreEventMap>
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

/** A data directory as read by NodeStore.readSnapshot: nothing was written, the database is closed again. */
export interface StoreSnapshot extends StoreContents {
  datadir: string
  path: string
  /** The stored bans (expired ones included: a BanList drops them), after the cross-check with banlist.json. */
  bans: BanEntry[]
}

/**
 * The node's LevelDB (one per data directory): schema version, address-book key, anchors and ban
 * generation under `meta`, the address records in pages under `addr` (addr-codec.ts), one entry per ban
 * under `ban`, plus a second copy of the bans in `banlist.json` (ban-file.ts). Everything is read and
 * checked when the store opens, so a database that does not decode is found (and moved aside) before the
 * node uses it. Writes go through one queue, in order.
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
  readonly #events: EventSink<StoreEventMap>
  readonly #banFile: string
  #loaded: Loaded | undefined
  /** The bans as last changed: banlist.json is written from this. */
  readonly #bans: Map<string, BanEntry>
  /** Ban changes not yet written: target → entry to put, or undefined to delete. */
  #banOps = new Map<string, BanEntry | undefined>()
  #banGeneration: number
  /** The queued ban write that has not started yet; later changes join it. */
  #banWrite: Promise<void> | undefined
  #bansSaved: Promise<void> = Promise.resolve()
  #tail: Promise<void> = Promise.resolve()
  #unbind: (() => void) | undefined
  #closed = false

  private constructor (datadir: string, db: Db, loaded: Loaded, events: EventSink<StoreEventMap>, movedAside: string | undefined) {
    this.datadir = datadir
    this.path = join(datadir, DB_DIR_NAME)
    this.#db = db
    ;({ meta: this.#meta, addr: this.#addr, ban: this.#ban } = subs(db))
    this.#loaded = loaded
    this.#bans = new Map(loaded.bans.map((e) => [e.target, e]))
    this.#banGeneration = loaded.banGeneration
    this.#banFile = join(datadir, BAN_FILE_NAME)
    this.#events = events
    this.movedAside = movedAside
  }

  /**
   * Opens (creating if needed) the database of `datadir`. Throws DataDirError for a path that cannot be
   * a data directory, DataDirLockedError if another process has it open, and StoreAccessError when the
   * operating system refuses (permissions, read-only or full disk): those leave everything as it was.
   * Only a corrupt database is renamed to `<path>.corrupt-<time>` with a warning, and a new one started.
   * The bans are then cross-checked with banlist.json (ban-reconcile.ts).
   */
  static async open (datadir: string, components: NodeStoreComponents, init: NodeStoreInit = {}): Promise<NodeStore> {
    const { clock } = components
    const events = components.events ?? nullEventSink()
    const path = join(datadir, DB_DIR_NAME)
    const consumeAnchors = init.consumeAnchors ?? true
    await ensureDataDir(datadir)
    let movedAside: string | undefined
    let opened: { db: Db, loaded: Loaded }
    try {
      opened = await openAndLoad(datadir, path)
    } catch (err) {
      if (!(err instanceof StoreCorruptError)) throw err
      movedAside = await moveAside(path, clock.now()).catch((e: unknown) => { throw accessError(e, path, 'move aside database') ?? e })
      events.emit('store_moved_aside', { path, movedTo: movedAside, reason: err.message })
      opened = await openAndLoad(datadir, path)
    }
    const { db, loaded } = opened
    try {
      const ops: WriteOp[] = []
      const { meta } = subs(db)
      if (loaded.needsSchema) ops.push({ type: 'put', sublevel: meta, key: META_SCHEMA, value: SCHEMA_VERSION })
      if (consumeAnchors && loaded.anchors.length > 0) ops.push({ type: 'del', sublevel: meta, key: META_ANCHORS })
      if (ops.length > 0) await writeBatch(db, ops).catch((e: unknown) => { throw accessError(e, path, 'write database') ?? e })
      // After the schema: bans restored into a new database must not make it "data without a schema".
      const bans = await reconcileBans(datadir, loaded, { events, clock }, { db, write: true })
      loaded.bans = bans.bans
      loaded.banGeneration = bans.generation
    } catch (err) {
      await db.close()
      throw err
    }
    events.emit('store_opened', { path, addrRecords: loaded.addrRecords.length, bans: loaded.bans.length, anchors: loaded.anchors.length })
    return new NodeStore(datadir, db, loaded, events, movedAside)
  }

  /**
   * Reads the data directory without changing it: no directory or database is created, nothing is
   * moved aside, no schema, key or anchor is written (LevelDB still replays its own log files on open).
   * Throws DataDirError when `datadir` does not exist, StoreCorruptError for a corrupt database (left
   * where it is: the next NodeStore.open moves it aside), and otherwise as open does.
   */
  static async readSnapshot (datadir: string, components: NodeStoreComponents): Promise<StoreSnapshot> {
    await checkDataDir(datadir, { mustExist: true })
    const path = join(datadir, DB_DIR_NAME)
    let loaded: Loaded = { ...EMPTY_LOADED }
    try {
      if (await dbState(path) === 'present') {
        const db = await openDb(datadir, path, false)
        try {
          loaded = await load(db, datadir, path)
        } finally {
          await db.close()
        }
      }
    } catch (err) {
      if (!(err instanceof StoreCorruptError)) throw err
      throw new StoreCorruptError(`database ${path} cannot be used (${err.message}); left as it is: peerkeeper run moves it aside and starts a new one`, { cause: err })
    }
    const { bans } = await reconcileBans(datadir, loaded, { clock: components.clock, events: components.events ?? nullEventSink() }, { write: false })
    return { datadir, path, addrBookKey: loaded.addrBookKey, addrRecords: loaded.addrRecords, anchors: loaded.anchors, bans }
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
   * Loads the stored bans into `banList` and from then on writes its changes (errors are logged):
   * changes made together are written together, to LevelDB and then to banlist.json, at once.
   * Expired stored bans are dropped and deleted. One ban list per store.
   */
  bindBanList (banList: BanList): void {
    if (this.#unbind !== undefined) throw new Error('NodeStore.bindBanList() may be called only once')
    const onChanged = (change: BanChange): void => {
      const target = change.entry.target
      if (change.type === 'added') this.#bans.set(target, change.entry)
      else this.#bans.delete(target)
      this.#banOps.set(target, change.type === 'added' ? change.entry : undefined)
      this.#scheduleBanWrite()
    }
    banList.on('changed', onChanged)
    this.#unbind = () => { banList.off('changed', onChanged) }
    banList.load([...this.#bans.values()])
  }

  /**
   * Resolves once every ban change made so far is fsynced in LevelDB and in banlist.json: a ban is
   * acknowledged only then. Rejects if that write failed.
   */
  bansSaved (): Promise<void> {
    return this.#bansSaved
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

  /** Queues one write of all pending ban changes, unless one is queued and not yet started. */
  #scheduleBanWrite (): void {
    if (this.#banWrite !== undefined) return
    const write = this.#enqueue(async () => {
      this.#banWrite = undefined
      const ops = this.#banOps
      this.#banOps = new Map()
      // Both copies get this generation and this state, taken now: later changes go in the next write.
      const generation = ++this.#banGeneration
      const bans = [...this.#bans.values()]
      try {
        await writeBatch(this.#db, [
          ...[...ops].map(([key, entry]): WriteOp => entry === undefined
            ? { type: 'del', sublevel: this.#ban, key }
            : { type: 'put', sublevel: this.#ban, key, value: entry }),
          { type: 'put', sublevel: this.#meta, key: META_BAN_GENERATION, value: generation }
        ])
      } catch (err) {
        for (const [key, entry] of ops) if (!this.#banOps.has(key)) this.#banOps.set(key, entry) // retried with the next change
        throw err
      }
      await writeBanFile(this.#banFile, { generation, bans })
    })
    this.#banWrite = write
    this.#bansSaved = write
    write.catch((err: unknown) => {
      this.#events.emit('store_write_failed', { path: this.path, what: 'bans', error: (err as Error).message })
    })
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

/** Checks the folder, opens (creating) the LevelDB and reads everything; errors are classified. */
async function openAndLoad (datadir: string, path: string): Promise<{ db: Db, loaded: Loaded }> {
  await dbState(path)
  const db = await openDb(datadir, path, true)
  try {
    return { db, loaded: await load(db, datadir, path) }
  } catch (err) {
    await db.close()
    throw err
  }
}
