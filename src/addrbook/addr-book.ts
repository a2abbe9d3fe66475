import { unixSeconds } from '../util/clock.ts'
import type { Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { Logger } from '../log/logger.ts'
import { addrKey, isValidPort, sameAddress } from '../netaddr/netaddress.ts'
import type { NetAddress, TimedAddress } from '../netaddr/netaddress.ts'
import { AddrEntry, MAX_FUTURE_S, isTerrible, selectionChance } from './addr-entry.ts'
import type { AddrInfo } from './addr-entry.ts'
import { groupKey, UNROUTABLE_GROUP } from './netgroup.ts'
import { BUCKET_SIZE, KEY_BYTES, NEW_BUCKET_COUNT, Placement, TRIED_BUCKET_COUNT } from './placement.ts'
import type { AddrChanges, AddrRecord, AddrRecordStore } from './record.ts'
import { NamedError } from '../util/errors.ts'

/** Core's ADDRMAN_NEW_BUCKETS_PER_ADDRESS: how many new-table references one address may hold. */
export const NEW_BUCKETS_PER_ADDRESS = 8
/** Core's penalty on gossiped timestamps, so relayed addresses look older than self-announcements. */
export const GOSSIP_TIME_PENALTY_S = 2 * 3600
/** Timestamps at or before this (1973) are garbage from buggy peers (Core's net_processing check). */
const MIN_PLAUSIBLE_TIME_S = 100_000_000
/** What an absurd timestamp is replaced with: "seen 5 days ago", as Core does. */
const ABSURD_TIME_AGE_S = 5 * 24 * 3600
/** A re-announced address refreshes its time hourly if seen within a day, else daily (Core's AddSingle). */
const ONLINE_WINDOW_S = 24 * 3600
const ONLINE_UPDATE_INTERVAL_S = 3600
const OFFLINE_UPDATE_INTERVAL_S = 24 * 3600
/** connected() refreshes the time at most this often (Core: avoids leaking connection times). */
const CONNECTED_UPDATE_INTERVAL_S = 20 * 60
/** Each miss in select() makes acceptance this much likelier, so selection always ends. */
const SELECT_FACTOR_STEP = 1.2
/** The source group of addresses added without a peer source (seeds, CLI): all share 64 new buckets. */
export const LOCAL_SOURCE_GROUP = 'local'
/** Core's getaddr answer: at most 1000 addresses and at most 23% of the book. */
export const GETADDR_MAX_COUNT = 1000
export const GETADDR_MAX_PCT = 23
/** Tried records whose stored position is checked against the key at load, to detect a key mismatch. */
const LOAD_KEY_CHECKS = 8
const EMPTY = -1

export interface AddrBookComponents {
  clock: Clock
  random: Random
  logger: Logger
}

export interface AddrBookInit {
  /** The secret 32-byte placement key; generated from Random.bytes when absent (then persist `book.key`). */
  key?: Uint8Array
  /** Accept loopback/private addresses (regtest-like chainparams' allowLocalAddresses). */
  allowLocal: boolean
}

/** A bad address-book construction parameter. */
export class AddrBookError extends NamedError {}

/**
 * Bitcoin Core's address manager (addrman): a "new" table of addresses heard about and a "tried" table
 * of addresses we have connected to, placed in buckets by a secret key and by network group, so that a
 * peer cannot fill the book with its own addresses or predict where they land. Pure logic: time comes
 * from the Clock and every random choice from the Random. Persistence goes through AddrRecordStore.
 */
export class AddrBook implements AddrRecordStore {
  readonly key: Uint8Array
  readonly allowLocal: boolean
  private readonly clock: Clock
  private readonly random: Random
  private readonly logger: Logger
  private readonly placement: Placement
  private readonly newTable = new Int32Array(NEW_BUCKET_COUNT * BUCKET_SIZE).fill(EMPTY)
  private readonly triedTable = new Int32Array(TRIED_BUCKET_COUNT * BUCKET_SIZE).fill(EMPTY)
  /** Entries per bucket, so select() skips empty buckets without scanning 64 slots. */
  private readonly newFill = new Uint8Array(NEW_BUCKET_COUNT)
  private readonly triedFill = new Uint8Array(TRIED_BUCKET_COUNT)
  private entries: Array<AddrEntry | undefined> = []
  private freeIds: number[] = []
  private readonly byKey = new Map<string, AddrEntry>()
  /** All entries in a dense array, for uniform sampling (Core's vRandom). */
  private dense: AddrEntry[] = []
  private triedCount = 0
  /** When good() was last called (Core's m_last_good): failures count at most once between successes. */
  private lastGood = 1
  private readonly dirty = new Set<string>()
  private readonly deleted = new Set<string>()

  constructor (components: AddrBookComponents, init: AddrBookInit) {
    this.clock = components.clock
    this.random = components.random
    this.logger = components.logger
    this.allowLocal = init.allowLocal
    const key = init.key ?? components.random.bytes(KEY_BYTES)
    if (key.length !== KEY_BYTES) throw new AddrBookError(`address book key: expected ${KEY_BYTES} bytes, got ${key.length}`)
    this.key = Uint8Array.from(key)
    this.placement = new Placement(this.key)
  }

  size (): { new: number, tried: number } {
    return { new: this.byKey.size - this.triedCount, tried: this.triedCount }
  }

  get (addr: NetAddress): AddrInfo | undefined {
    return this.byKey.get(addrKey(addr))
  }

  /** The diversity group of an address under this book's allowLocal setting. */
  groupKey (addr: NetAddress): string {
    return groupKey(addr, this.allowLocal)
  }

  /**
   * Adds gossiped (`source` = the peer) or local (`source` undefined: seeds, CLI) addresses to the new
   * table. Unacceptable addresses are refused; absurd timestamps become "5 days ago"; gossiped ones are
   * aged by 2 h. Returns how many took a new position (new entries or extra references).
   */
  add (addrs: readonly TimedAddress[], source: NetAddress | undefined): number {
    const nowS = unixSeconds(this.clock)
    const sourceGroup = source === undefined ? LOCAL_SOURCE_GROUP : groupKey(source, this.allowLocal)
    let added = 0
    for (const timed of addrs) if (this.addOne(timed, source, sourceGroup, nowS)) added++
    if (added > 0) this.logger.debug('added addresses', { added, offered: addrs.length, source: source === undefined ? 'local' : addrKey(source) })
    return added
  }

  /** A connection attempt to `addr` starts; it counts as a failure only if `countFailure` (offline guard). */
  attempt (addr: NetAddress, countFailure: boolean): void {
    const entry = this.byKey.get(addrKey(addr))
    if (entry === undefined) return
    const nowS = unixSeconds(this.clock)
    entry.lastAttempt = nowS
    // Core: count at most one failure per address between two successes anywhere, so a node that lost
    // its own connectivity does not condemn every address it tries.
    if (countFailure && entry.lastCountAttempt < this.lastGood) {
      entry.lastCountAttempt = nowS
      entry.attempts++
    }
    this.dirty.add(entry.key)
  }

  /** A connection to `addr` is (still) up: refresh its last-seen time, at most every 20 minutes. */
  connected (addr: NetAddress): void {
    const entry = this.byKey.get(addrKey(addr))
    if (entry === undefined) return
    const nowS = unixSeconds(this.clock)
    if (nowS - entry.time > CONNECTED_UPDATE_INTERVAL_S) {
      entry.time = nowS
      this.dirty.add(entry.key)
    }
  }

  /**
   * An outbound handshake with `addr` completed: reset its attempts and move it to tried. If its tried
   * slot is taken, the occupant goes back to new (no test-before-evict: peerkeeper has no feelers).
   * Returns whether the entry moved.
   */
  good (addr: NetAddress): boolean {
    const nowS = unixSeconds(this.clock)
    this.lastGood = nowS // any success shows we are online, even with an address the book does not hold
    const entry = this.byKey.get(addrKey(addr))
    if (entry === undefined) return false
    entry.lastSuccess = nowS
    entry.lastAttempt = nowS
    entry.attempts = 0
    this.dirty.add(entry.key)
    if (entry.tried) return false
    this.makeTried(entry)
    return true
  }

  /**
   * Core's Select: tried or new with equal odds (new only if `newOnly`), a random bucket and slot, and
   * acceptance with probability factor × chance, the factor growing ×1.2 per miss.
   */
  select (newOnly = false): AddrInfo | undefined {
    const triedCount = this.triedCount
    const newCount = this.byKey.size - triedCount
    if (newCount === 0 && (newOnly || triedCount === 0)) return undefined
    const searchTried = newOnly || triedCount === 0 ? false : newCount === 0 ? true : this.random.float() < 0.5
    const table = searchTried ? this.triedTable : this.newTable
    const fill = searchTried ? this.triedFill : this.newFill
    const nowS = unixSeconds(this.clock)
    let factor = 1
    for (;;) {
      const bucket = this.random.int(fill.length)
      if (fill[bucket] === 0) continue
      const base = bucket * BUCKET_SIZE
      const start = this.random.int(BUCKET_SIZE)
      let id = EMPTY
      for (let i = 0; i < BUCKET_SIZE && id === EMPTY; i++) id = table[base + ((start + i) % BUCKET_SIZE)] ?? EMPTY
      const entry = this.entries[id]
      if (entry === undefined) throw new AddrBookError(`address book: bucket ${bucket} counted full but holds no entry`)
      if (this.random.float() < factor * selectionChance(entry, nowS)) return entry
      factor *= SELECT_FACTOR_STEP
    }
  }

  /** A random sample for answering getaddr: at most `maxCount` and `maxPct`% of the book, never terrible ones. */
  sample (maxCount = GETADDR_MAX_COUNT, maxPct = GETADDR_MAX_PCT): TimedAddress[] {
    const nowS = unixSeconds(this.clock)
    const want = Math.min(maxCount, Math.floor(this.dense.length * maxPct / 100))
    const out: TimedAddress[] = []
    // A partial Fisher-Yates shuffle of the dense array: each visited position gets a uniform pick.
    for (let i = 0; i < this.dense.length && out.length < want; i++) {
      this.swapDense(i, i + this.random.int(this.dense.length - i))
      const entry = this.dense[i]
      if (entry !== undefined && !isTerrible(entry, nowS)) out.push({ addr: entry.addr, services: entry.services, time: entry.time })
    }
    return out
  }

  exportRecords (): AddrRecord[] {
    return this.dense.map((entry) => entry.toRecord())
  }

  takeChanges (): AddrChanges {
    const put: AddrRecord[] = []
    for (const key of this.dirty) {
      const entry = this.byKey.get(key)
      if (entry !== undefined) put.push(entry.toRecord())
    }
    // A key removed and then added again before this call is written, not deleted.
    const del = [...this.deleted].filter((key) => !this.byKey.has(key))
    this.dirty.clear()
    this.deleted.clear()
    return { put, del }
  }

  loadRecords (records: readonly AddrRecord[]): { loaded: number, skipped: number } {
    this.clear()
    const trustPositions = this.positionsMatchKey(records)
    // Many records share a source and a few service values: group and parse each once. The store hands
    // one object per distinct source, so they are cached by identity (no key string per record).
    const sourceGroups = new Map<NetAddress, string>()
    const servicesBits = new Map<string, bigint>()
    let skipped = 0
    let replaced = 0
    for (const record of records) {
      const group = groupKey(record.addr, this.allowLocal)
      if (this.byKey.has(record.key)) {
        skipped++
        continue
      }
      if (group === UNROUTABLE_GROUP) { // e.g. a local address in a book now opened without allowLocal
        skipped++
        this.deleted.add(record.key)
        continue
      }
      const source = record.source ?? undefined
      let sourceGroup = LOCAL_SOURCE_GROUP
      if (source !== undefined) {
        sourceGroup = sourceGroups.get(source) ?? groupKey(source, this.allowLocal)
        sourceGroups.set(source, sourceGroup)
      }
      let services = servicesBits.get(record.services)
      if (services === undefined) servicesBits.set(record.services, services = BigInt(record.services))
      const entry = this.create(record.key, record.addr, group, source, sourceGroup, services, record.time)
      entry.attempts = record.attempts
      entry.lastAttempt = record.lastAttempt
      entry.lastCountAttempt = record.lastCountAttempt
      entry.lastSuccess = record.lastSuccess
      if (this.restorePositions(entry, record, trustPositions)) continue
      replaced++
      if (!record.tried || !this.placeTried(entry)) {
        if (!this.placeNewByHash(entry)) {
          this.remove(entry, false)
          this.deleted.add(record.key)
          skipped++
          continue
        }
      }
      this.dirty.add(entry.key)
    }
    const loaded = this.byKey.size
    this.logger.event('addrbook_loaded', { loaded, skipped, replaced, trustPositions, ...this.size() }, `loaded ${loaded} addresses (${skipped} skipped, ${replaced} re-placed)`)
    return { loaded, skipped }
  }

  private addOne (timed: TimedAddress, source: NetAddress | undefined, sourceGroup: string, nowS: number): boolean {
    const { addr } = timed
    if (!isValidPort(addr.port)) return false
    const group = groupKey(addr, this.allowLocal)
    if (group === UNROUTABLE_GROUP) return false
    const time = timed.time <= MIN_PLAUSIBLE_TIME_S || timed.time > nowS + MAX_FUTURE_S ? nowS - ABSURD_TIME_AGE_S : timed.time
    // A peer announcing itself is first-hand news; anything it relays about others is aged.
    const penalty = source !== undefined && !sameAddress(source, addr) ? GOSSIP_TIME_PENALTY_S : 0
    const key = addrKey(addr)
    let entry = this.byKey.get(key)
    if (entry !== undefined) {
      const interval = nowS - time < ONLINE_WINDOW_S ? ONLINE_UPDATE_INTERVAL_S : OFFLINE_UPDATE_INTERVAL_S
      if (entry.time < time - interval - penalty) {
        entry.time = Math.max(0, time - penalty)
        this.dirty.add(key)
      }
      if ((entry.services | timed.services) !== entry.services) {
        entry.services |= timed.services
        this.dirty.add(key)
      }
      if (time <= entry.time || entry.tried || entry.newPos.length >= NEW_BUCKETS_PER_ADDRESS) return false
      // Each extra reference is twice as hard to get as the previous one (Core's stochastic test).
      if (entry.newPos.length > 0 && this.random.int(1 << entry.newPos.length) !== 0) return false
    } else {
      entry = this.create(key, addr, group, source, sourceGroup, timed.services, Math.max(0, time - penalty))
    }
    const bucket = this.placement.newBucket(group, sourceGroup)
    const pos = bucket * BUCKET_SIZE + this.placement.slot(true, bucket, key)
    const occupantId = this.newTable[pos] ?? EMPTY
    if (occupantId === entry.id) return false
    const occupant = this.entries[occupantId]
    // Core's eviction: a taken slot is overwritten only if its entry is terrible, or if it has other
    // references and the newcomer has none.
    const insert = occupant === undefined || isTerrible(occupant, nowS) || (occupant.newPos.length > 1 && entry.newPos.length === 0)
    if (insert) {
      this.clearNewSlot(pos)
      this.linkNew(entry, pos)
      this.dirty.add(key)
      return true
    }
    if (entry.newPos.length === 0) this.remove(entry, false)
    return false
  }

  private makeTried (entry: AddrEntry): void {
    for (const pos of entry.newPos) {
      this.newTable[pos] = EMPTY
      this.newFill[pos >> 6]!--
    }
    entry.newPos = []
    const pos = this.triedPosition(entry)
    const displaced = this.entries[this.triedTable[pos] ?? EMPTY]
    if (displaced !== undefined) {
      this.unlinkTried(displaced)
      // Back to new, in the bucket its own source would give it, evicting whatever sits there.
      this.placeNewByHash(displaced, true)
      this.dirty.add(displaced.key)
      this.logger.debug('tried slot taken: displaced entry returned to new', { moved: entry.key, displaced: displaced.key })
    }
    this.linkTried(entry, pos)
  }

  /** Puts the entry at its hashed new position; `force` evicts the occupant, otherwise a taken slot fails. */
  private placeNewByHash (entry: AddrEntry, force = false): boolean {
    const bucket = this.placement.newBucket(entry.group, entry.sourceGroup)
    const pos = bucket * BUCKET_SIZE + this.placement.slot(true, bucket, entry.key)
    if (!force && this.newTable[pos] !== EMPTY) return false
    this.clearNewSlot(pos)
    this.linkNew(entry, pos)
    return true
  }

  /** Puts the entry at its hashed tried position if free. */
  private placeTried (entry: AddrEntry): boolean {
    const pos = this.triedPosition(entry)
    if (this.triedTable[pos] !== EMPTY) return false
    this.linkTried(entry, pos)
    return true
  }

  private triedPosition (entry: AddrEntry): number {
    const bucket = this.placement.triedBucket(entry.key, entry.group)
    return bucket * BUCKET_SIZE + this.placement.slot(false, bucket, entry.key)
  }

  /** Restores the stored positions of a loaded record; false if none of them could be used. */
  private restorePositions (entry: AddrEntry, record: AddrRecord, trust: boolean): boolean {
    if (!trust) return false
    if (record.tried) {
      const pos = record.triedPos
      if (pos === null || pos >= this.triedTable.length || this.triedTable[pos] !== EMPTY) return false
      this.linkTried(entry, pos)
      return true
    }
    let complete = true
    for (const pos of record.newRefs) {
      if (pos < this.newTable.length && this.newTable[pos] === EMPTY && entry.newPos.length < NEW_BUCKETS_PER_ADDRESS) this.linkNew(entry, pos)
      else complete = false
    }
    if (!complete && entry.newPos.length > 0) this.dirty.add(entry.key)
    return entry.newPos.length > 0
  }

  /** Stored positions are only meaningful with the key they were made with; a few tried ones tell. */
  private positionsMatchKey (records: readonly AddrRecord[]): boolean {
    let checked = 0
    for (const record of records) {
      if (checked >= LOAD_KEY_CHECKS) break
      if (!record.tried || record.triedPos === null) continue
      const group = groupKey(record.addr, this.allowLocal)
      const bucket = this.placement.triedBucket(record.key, group)
      if (record.triedPos !== bucket * BUCKET_SIZE + this.placement.slot(false, bucket, record.key)) {
        this.logger.warn('stored bucket positions do not match the key; re-placing every address', { record: record.key })
        return false
      }
      checked++
    }
    return true
  }

  /** Empties a new slot; its entry loses that reference and is deleted when it has none left. */
  private clearNewSlot (pos: number): void {
    const entry = this.entries[this.newTable[pos] ?? EMPTY]
    if (entry === undefined) return
    entry.newPos.splice(entry.newPos.indexOf(pos), 1)
    this.newTable[pos] = EMPTY
    this.newFill[pos >> 6]!--
    if (entry.newPos.length === 0) this.remove(entry, true)
    else this.dirty.add(entry.key)
  }

  private linkNew (entry: AddrEntry, pos: number): void {
    this.newTable[pos] = entry.id
    this.newFill[pos >> 6]!++
    entry.newPos.push(pos)
  }

  private linkTried (entry: AddrEntry, pos: number): void {
    this.triedTable[pos] = entry.id
    this.triedFill[pos >> 6]!++
    entry.tried = true
    entry.triedPos = pos
    this.triedCount++
  }

  private unlinkTried (entry: AddrEntry): void {
    this.triedTable[entry.triedPos] = EMPTY
    this.triedFill[entry.triedPos >> 6]!--
    entry.tried = false
    entry.triedPos = -1
    this.triedCount--
  }

  private create (key: string, addr: NetAddress, group: string, source: NetAddress | undefined, sourceGroup: string, services: bigint, time: number): AddrEntry {
    const entry = new AddrEntry(key, addr, group, source, sourceGroup, services, time)
    entry.id = this.freeIds.pop() ?? this.entries.length
    this.entries[entry.id] = entry
    this.byKey.set(key, entry)
    entry.denseIndex = this.dense.length
    this.dense.push(entry)
    return entry
  }

  /** Forgets an entry that holds no table position; `persisted` says whether the store may hold it. */
  private remove (entry: AddrEntry, persisted: boolean): void {
    this.entries[entry.id] = undefined
    this.freeIds.push(entry.id)
    this.byKey.delete(entry.key)
    const last = this.dense.length - 1
    this.swapDense(entry.denseIndex, last)
    this.dense.pop()
    this.dirty.delete(entry.key)
    if (persisted) this.deleted.add(entry.key)
  }

  private swapDense (i: number, j: number): void {
    const a = this.dense[i]
    const b = this.dense[j]
    if (a === undefined || b === undefined || i === j) return
    this.dense[i] = b
    this.dense[j] = a
    b.denseIndex = i
    a.denseIndex = j
  }

  private clear (): void {
    this.newTable.fill(EMPTY)
    this.triedTable.fill(EMPTY)
    this.newFill.fill(0)
    this.triedFill.fill(0)
    this.entries = []
    this.freeIds = []
    this.byKey.clear()
    this.dense = []
    this.triedCount = 0
    this.lastGood = 1
    this.dirty.clear()
    this.deleted.clear()
  }
}
