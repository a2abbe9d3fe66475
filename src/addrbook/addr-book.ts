import { unixSeconds } from '../util/clock.ts'
import type { Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { Logger } from '../log/logger.ts'
import { nullEventSink, type EventSink } from '../util/event-bus.ts'
import type { AddrBookEventMap } from './events.ts'
import { addrKey, isValidPort, sameAddress } from '../netaddr/netaddress.ts'
import type { NetAddress, Network, TimedAddress } from '../netaddr/netaddress.ts'
import { AddrEntry, isTerrible, plausibleTime, REFUSED_HOLD_S, refreshInterval } from './addr-entry.ts'
import type { AddrInfo } from './addr-entry.ts'
import { isInternalAddress, UNROUTABLE_GROUP } from './netgroup.ts'
import { groupKeyWithAsmap, type Asmap } from './asmap.ts'
import { KEY_BYTES, Placement } from './placement.ts'
import { AddrTables } from './tables.ts'
import { ChangeSet } from './changes.ts'
import type { AddrChanges, AddrRecord, AddrRecordStore } from './record.ts'
import { AddrBookError } from './errors.ts'
import { TriedCollisions } from './collisions.ts'
import { DEFAULT_SELECTION, selectEntry, type Selection } from './select.ts'

/** Core's ADDRMAN_NEW_BUCKETS_PER_ADDRESS: how many new-table references one address may hold. */
export const NEW_BUCKETS_PER_ADDRESS = 8
/** Core's penalty on gossiped timestamps, so relayed addresses look older than self-announcements. */
export const GOSSIP_TIME_PENALTY_S = 2 * 3600
/** connected() refreshes the time at most this often (Core: avoids leaking connection times). */
const CONNECTED_UPDATE_INTERVAL_S = 20 * 60
/** The source group of addresses added without a source (the CLI): all share 64 new buckets. */
export const LOCAL_SOURCE_GROUP = 'local'
/** Core's getaddr answer: at most 1000 addresses and at most 23% of the book. */
export const GETADDR_MAX_COUNT = 1000
export const GETADDR_MAX_PCT = 23
/** Tried records whose stored position is checked against the key at load, to detect a key mismatch. */
const LOAD_KEY_CHECKS = 8

export interface AddrBookComponents {
  clock: Clock
  random: Random
  logger: Logger
  /** Where addrbook_loaded goes (the node's bus). @default dropped */
  events?: EventSink<AddrBookEventMap>
  /** Told after add() placed addresses (the node wakes its connection manager, which may be waiting for some). */
  onAdded?(added: number): void
}

export interface AddrBookInit {
  /** The secret 32-byte placement key; generated from Random.bytes when absent (then persist `book.key`). */
  key?: Uint8Array
  /** Accept loopback/private addresses (regtest-like chainparams' allowLocalAddresses). */
  allowLocal: boolean
  /** Core's test-before-evict (collisions.ts); false: a good address displaces its slot's occupant at once. @default true */
  testBeforeEvict?: boolean
  /** Group IPv4/IPv6 addresses by autonomous system (Core's -asmap) instead of /16 and /32. */
  asmap?: Asmap
  /** 'group': select() takes a random group, then an address of it; 'core': Core's buckets (select.ts). @default 'group' */
  selection?: Selection
}

/**
 * Bitcoin Core's address manager (addrman): a "new" table of addresses heard about and a "tried" table of
 * addresses we connected to, placed in buckets by a secret key and network group, so a peer can neither
 * fill the book with its own addresses nor predict where they land. Pure logic (time from the Clock,
 * chance from the Random); persistence through AddrRecordStore; slots and storage in AddrTables.
 */
export class AddrBook implements AddrRecordStore {
  readonly key: Uint8Array
  readonly allowLocal: boolean
  readonly testBeforeEvict: boolean
  readonly asmap: Asmap | undefined
  private readonly clock: Clock
  private readonly random: Random
  private readonly logger: Logger
  private readonly events: EventSink<AddrBookEventMap>
  private readonly onAdded: ((added: number) => void) | undefined
  private readonly placement: Placement
  private readonly tables: AddrTables
  /** When good() was last called (Core's m_last_good): failures count at most once between successes. */
  private lastGood = 1
  private readonly changes = new ChangeSet()
  private readonly collisions = new TriedCollisions<AddrEntry>()
  private readonly collisionTables = {
    get: (key: string) => this.tables.get(key),
    triedOccupantOf: (entry: AddrEntry) => this.tables.triedOccupant(this.placement.triedPosition(entry.key, entry.group)),
    makeTried: (entry: AddrEntry) => { this.makeTried(entry); this.changes.changed(entry.key) }
  }

  constructor (components: AddrBookComponents, init: AddrBookInit) {
    this.clock = components.clock
    this.random = components.random
    this.logger = components.logger
    this.events = components.events ?? nullEventSink()
    this.onAdded = components.onAdded
    this.allowLocal = init.allowLocal
    this.testBeforeEvict = init.testBeforeEvict ?? true
    this.asmap = init.asmap
    this.tables = new AddrTables((init.selection ?? DEFAULT_SELECTION) === 'group')
    const key = init.key ?? components.random.bytes(KEY_BYTES)
    if (key.length !== KEY_BYTES) throw new AddrBookError(`address book key: expected ${KEY_BYTES} bytes, got ${key.length}`)
    this.key = Uint8Array.from(key)
    this.placement = new Placement(this.key)
  }

  size (): { new: number, tried: number } {
    const tried = this.tables.triedCount
    return { new: this.tables.count - tried, tried }
  }

  /** The counts of size(), per network (for the status page). */
  sizeByNetwork (): Partial<Record<Network, { new: number, tried: number }>> { return this.tables.countsByNetwork() }

  get (addr: NetAddress): AddrInfo | undefined {
    return this.tables.get(addrKey(addr))
  }

  /** The diversity group of an address under this book's allowLocal setting and asmap. */
  groupKey (addr: NetAddress): string {
    return groupKeyWithAsmap(addr, this.allowLocal, this.asmap)
  }

  /**
   * Adds gossiped (`source` = the peer), seeded (`source` = the seed's internalAddress, its own source
   * group) or local (`source` undefined: the CLI) addresses to the new table. Unacceptable addresses are
   * refused; absurd timestamps become "5 days ago"; what a peer relays about others is aged by 2 h.
   * Returns how many took a new position (new entries or extra references).
   */
  add (addrs: readonly TimedAddress[], source: NetAddress | undefined): number {
    const nowS = unixSeconds(this.clock)
    const sourceGroup = source === undefined ? LOCAL_SOURCE_GROUP : this.groupKey(source)
    const peer = source !== undefined && !isInternalAddress(source) ? source : undefined
    let added = 0
    for (const timed of addrs) if (this.addOne(timed, source, sourceGroup, peer, nowS)) added++
    if (added > 0) {
      this.logger.debug('added addresses', { added, offered: addrs.length, source: source === undefined ? 'local' : addrKey(source) })
      this.onAdded?.(added)
    }
    return added
  }

  /** A connection attempt to `addr` starts; it counts as a failure only if `countFailure` (offline guard). */
  attempt (addr: NetAddress, countFailure: boolean): void {
    const entry = this.tables.get(addrKey(addr))
    if (entry === undefined) return
    const nowS = unixSeconds(this.clock)
    entry.lastAttempt = nowS
    // Core: count at most one failure per address between two successes anywhere, so a node that lost
    // its own connectivity does not condemn every address it tries.
    if (countFailure && entry.lastCountAttempt < this.lastGood) {
      entry.lastCountAttempt = nowS
      entry.attempts++
    }
    this.changes.changed(entry.key)
  }

  /** A connection to `addr` is (still) up: refresh its last-seen time, at most every 20 minutes. */
  connected (addr: NetAddress): void {
    const entry = this.tables.get(addrKey(addr))
    if (entry === undefined) return
    const nowS = unixSeconds(this.clock)
    if (nowS - entry.time > CONNECTED_UPDATE_INTERVAL_S) {
      entry.time = nowS
      this.changes.changed(entry.key)
    }
  }

  /**
   * The node at `addr` refused us for being on another network (wrong magic): not dialed for REFUSED_HOLD_S
   * and terrible meanwhile. In memory only (a restart may dial it once more). False if not in the book.
   */
  refused (addr: NetAddress, reason: string): boolean {
    const entry = this.tables.get(addrKey(addr))
    if (entry === undefined) return false
    entry.refusedUntil = unixSeconds(this.clock) + REFUSED_HOLD_S
    this.logger.debug('address refused us: not dialed for a while', { addr: entry.key, reason, untilS: entry.refusedUntil })
    return true
  }

  /** Marks `addr` as speaking only v1 (a BIP324 attempt fell back) or not; persisted. False if not in the book. */
  setV1Only (addr: NetAddress, v1Only: boolean): boolean {
    const entry = this.tables.get(addrKey(addr))
    if (entry === undefined) return false
    if (entry.v1Only !== v1Only) { entry.v1Only = v1Only; this.changes.changed(entry.key) }
    return true
  }

  /**
   * An outbound handshake with `addr` completed: reset its attempts and move it to tried. A taken tried slot
   * makes it a pending collision (resolveCollisions), or, without testBeforeEvict, sends the occupant to new.
   */
  good (addr: NetAddress): boolean {
    const nowS = unixSeconds(this.clock)
    this.lastGood = nowS // any success shows we are online, even with an address the book does not hold
    const entry = this.tables.get(addrKey(addr))
    if (entry === undefined) return false
    entry.lastSuccess = nowS
    entry.lastAttempt = nowS
    entry.attempts = 0
    entry.refusedUntil = 0 // it speaks our network after all (a permanent peer, or one whose hold ran out)
    this.changes.changed(entry.key)
    if (entry.tried) return false
    if (this.testBeforeEvict && this.collisionTables.triedOccupantOf(entry) !== undefined) {
      this.collisions.add(entry.key)
      return false
    }
    this.makeTried(entry)
    return true
  }

  /** New-table addresses waiting for a tried slot whose occupant is to be tested. */
  get pendingCollisions (): number { return this.collisions.size }

  /** Core's ResolveCollisions (collisions.ts): settles the pending collisions; how many newcomers moved to tried. */
  resolveCollisions (): number { return this.collisions.resolve(this.collisionTables, unixSeconds(this.clock)).length }

  /** The occupant of a random pending collision's slot, for a feeler to test (Core's SelectTriedCollision). */
  selectTriedCollision (): AddrInfo | undefined { return this.collisions.pick(this.collisionTables, (n) => this.random.int(n)) }

  /** Core's Select (select.ts): a random entry, weighted by its chance; new only if `newOnly`. */
  select (newOnly = false): AddrInfo | undefined { return selectEntry(this.tables, this.random, unixSeconds(this.clock), newOnly) }

  /** A random sample for answering getaddr: at most `maxCount` and `maxPct`% of the book, never terrible ones. */
  sample (maxCount = GETADDR_MAX_COUNT, maxPct = GETADDR_MAX_PCT): TimedAddress[] {
    const nowS = unixSeconds(this.clock)
    const want = Math.min(maxCount, Math.floor(this.tables.count * maxPct / 100))
    return this.tables.sample(want, (n) => this.random.int(n), (e) => !isTerrible(e, nowS))
      .map((entry) => ({ addr: entry.addr, services: entry.services, time: entry.time }))
  }

  exportRecords (): AddrRecord[] {
    return this.tables.all.map((entry) => entry.toRecord())
  }

  takeChanges (): AddrChanges {
    return this.changes.take(this.tables)
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
      const group = this.groupKey(record.addr)
      if (this.tables.has(record.key)) {
        skipped++
        continue
      }
      if (group === UNROUTABLE_GROUP) { // e.g. a local address in a book now opened without allowLocal
        skipped++
        this.changes.removed(record.key, true)
        continue
      }
      const source = record.source ?? undefined
      let sourceGroup = LOCAL_SOURCE_GROUP
      if (source !== undefined) {
        sourceGroup = sourceGroups.get(source) ?? this.groupKey(source)
        sourceGroups.set(source, sourceGroup)
      }
      let services = servicesBits.get(record.services)
      if (services === undefined) servicesBits.set(record.services, services = BigInt(record.services))
      const entry = this.tables.insert(new AddrEntry(record.key, record.addr, group, source, sourceGroup, services, record.time))
      entry.attempts = record.attempts
      entry.lastAttempt = record.lastAttempt
      entry.lastCountAttempt = record.lastCountAttempt
      entry.lastSuccess = record.lastSuccess
      entry.v1Only = record.v1Only === true
      if (this.restorePositions(entry, record, trustPositions)) continue
      replaced++
      if (!record.tried || !this.placeTried(entry)) {
        if (!this.placeNewByHash(entry)) {
          this.remove(entry, true)
          skipped++
          continue
        }
      }
      this.changes.changed(entry.key)
    }
    const loaded = this.tables.count
    this.events.emit('addrbook_loaded', { loaded, skipped, replaced, trustPositions, ...this.size() })
    return { loaded, skipped }
  }

  private addOne (timed: TimedAddress, source: NetAddress | undefined, sourceGroup: string, peer: NetAddress | undefined, nowS: number): boolean {
    const { addr } = timed
    if (!isValidPort(addr.port)) return false
    const group = this.groupKey(addr)
    if (group === UNROUTABLE_GROUP) return false
    const time = plausibleTime(timed.time, nowS)
    // A peer announcing itself is first-hand news; anything it relays about others is aged.
    const penalty = peer !== undefined && !sameAddress(peer, addr) ? GOSSIP_TIME_PENALTY_S : 0
    const key = addrKey(addr)
    let entry = this.tables.get(key)
    if (entry !== undefined) {
      if (entry.time < time - refreshInterval(time, nowS) - penalty) {
        entry.time = Math.max(0, time - penalty)
        this.changes.changed(key)
      }
      if ((entry.services | timed.services) !== entry.services) {
        entry.services |= timed.services
        this.changes.changed(key)
      }
      if (time <= entry.time || entry.tried || entry.newPos.length >= NEW_BUCKETS_PER_ADDRESS) return false
      // Each extra reference is twice as hard to get as the previous one (Core's stochastic test).
      if (entry.newPos.length > 0 && this.random.int(1 << entry.newPos.length) !== 0) return false
    } else {
      entry = this.tables.insert(new AddrEntry(key, addr, group, source, sourceGroup, timed.services, Math.max(0, time - penalty)))
    }
    const pos = this.placement.newPosition(group, sourceGroup, key)
    const occupant = this.tables.newOccupant(pos)
    if (occupant === entry) return false
    // Core's eviction: a taken slot is overwritten only if its entry is terrible, or if it has other
    // references and the newcomer has none.
    const insert = occupant === undefined || isTerrible(occupant, nowS) || (occupant.newPos.length > 1 && entry.newPos.length === 0)
    if (insert) {
      this.clearNewSlot(pos)
      this.tables.linkNew(entry, pos)
      this.changes.changed(key)
      return true
    }
    if (entry.newPos.length === 0) this.remove(entry, false)
    return false
  }

  private makeTried (entry: AddrEntry): void {
    this.tables.unlinkAllNew(entry)
    const pos = this.placement.triedPosition(entry.key, entry.group)
    const displaced = this.tables.triedOccupant(pos)
    if (displaced !== undefined) {
      this.tables.unlinkTried(displaced)
      // Back to new, in the bucket its own source would give it, evicting whatever sits there.
      this.placeNewByHash(displaced, true)
      this.changes.changed(displaced.key)
      this.logger.debug('tried slot taken: displaced entry returned to new', { moved: entry.key, displaced: displaced.key })
    }
    this.tables.linkTried(entry, pos)
  }

  /** Puts the entry at its hashed new position; `force` evicts the occupant, otherwise a taken slot fails. */
  private placeNewByHash (entry: AddrEntry, force = false): boolean {
    const pos = this.placement.newPosition(entry.group, entry.sourceGroup, entry.key)
    if (!force && !this.tables.isNewFree(pos)) return false
    this.clearNewSlot(pos)
    this.tables.linkNew(entry, pos)
    return true
  }

  /** Puts the entry at its hashed tried position if free. */
  private placeTried (entry: AddrEntry): boolean {
    return this.tables.linkTriedIfFree(entry, this.placement.triedPosition(entry.key, entry.group))
  }

  /** Restores the stored positions of a loaded record; false if none of them could be used. */
  private restorePositions (entry: AddrEntry, record: AddrRecord, trust: boolean): boolean {
    if (!trust) return false
    if (record.tried) return record.triedPos !== null && this.tables.linkTriedIfFree(entry, record.triedPos)
    const linked = this.tables.linkNewWhereFree(entry, record.newRefs, NEW_BUCKETS_PER_ADDRESS)
    if (linked > 0 && linked < record.newRefs.length) this.changes.changed(entry.key)
    return linked > 0
  }

  /** Stored positions are only meaningful with the key they were made with; a few tried ones tell. */
  private positionsMatchKey (records: readonly AddrRecord[]): boolean {
    let checked = 0
    for (const record of records) {
      if (checked >= LOAD_KEY_CHECKS) break
      if (!record.tried || record.triedPos === null) continue
      const group = this.groupKey(record.addr)
      if (record.triedPos !== this.placement.triedPosition(record.key, group)) {
        this.logger.warn('stored bucket positions do not match the key; re-placing every address', { record: record.key })
        return false
      }
      checked++
    }
    return true
  }

  /** Empties a new slot; its entry loses that reference and is deleted when it has none left. */
  private clearNewSlot (pos: number): void {
    const entry = this.tables.newOccupant(pos)
    if (entry === undefined) return
    this.tables.unlinkNew(entry, pos)
    if (entry.newPos.length === 0) this.remove(entry, true)
    else this.changes.changed(entry.key)
  }

  /** Forgets an entry that holds no table position; `persisted` says whether the store may hold it. */
  private remove (entry: AddrEntry, persisted: boolean): void {
    this.tables.remove(entry)
    this.changes.removed(entry.key, persisted)
  }

  private clear (): void {
    this.tables.clear()
    this.collisions.clear()
    this.lastGood = 1
    this.changes.clear()
  }
}
