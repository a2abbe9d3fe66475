import type { Network } from '../netaddr/netaddress.ts'
import type { AddrEntry } from './addr-entry.ts'
import { GroupIndex } from './group-index.ts'
import { BUCKET_SIZE, NEW_BUCKET_COUNT, TRIED_BUCKET_COUNT } from './placement.ts'

const EMPTY = -1
/** A position's bucket is `pos >> BUCKET_SHIFT` (BUCKET_SIZE is a power of two). */
const BUCKET_SHIFT = Math.log2(BUCKET_SIZE)

/**
 * The address book's storage: the new and tried bucket tables (entry ids in Int32Arrays, as Core's
 * vvNew/vvTried), per-bucket fill counts, the entries by id and by key, and a dense list for uniform
 * sampling. It keeps the tables and each entry's positions consistent; it decides nothing (AddrBook does).
 */
export class AddrTables {
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
  private tried = 0
  /**
   * Entries by group: of both tables (an entry is there while it holds a position), of the new table and
   * of the tried table. Kept only when the book selects group by group.
   */
  private readonly byGroup: { all: GroupIndex<AddrEntry>, new: GroupIndex<AddrEntry>, tried: GroupIndex<AddrEntry> } | undefined

  constructor (indexGroups = false) {
    this.byGroup = indexGroups ? { all: new GroupIndex(), new: new GroupIndex(), tried: new GroupIndex() } : undefined
  }

  /** Whether pickByGroup can be used. */
  get groupIndexed (): boolean {
    return this.byGroup !== undefined
  }

  /**
   * A uniformly random group of the book (of the new table if `newOnly`), then Core's table choice within
   * it — tried or new with even odds when the group has entries in both — and a random entry of that
   * table's part of the group. O(1); undefined only when empty (or without indexGroups).
   */
  pickByGroup (newOnly: boolean, randomInt: (n: number) => number): AddrEntry | undefined {
    if (this.byGroup === undefined) return undefined
    const { all, new: inNew, tried } = this.byGroup
    const group = (newOnly ? inNew : all).pickGroup(randomInt)
    if (group === undefined) return undefined
    if (newOnly) return inNew.pickIn(group, randomInt)
    const hasNew = inNew.countIn(group) > 0
    const searchTried = tried.countIn(group) > 0 && (!hasNew || randomInt(2) === 0)
    return (searchTried ? tried : inNew).pickIn(group, randomInt)
  }

  /** Entries held, new and tried. */
  get count (): number {
    return this.byKey.size
  }

  get triedCount (): number {
    return this.tried
  }

  /** New and tried counts per network (for the status page): one walk, no allocation per entry. */
  countsByNetwork (): Partial<Record<Network, { new: number, tried: number }>> {
    const out: Partial<Record<Network, { new: number, tried: number }>> = {}
    for (const entry of this.all) {
      const counts = out[entry.addr.network] ??= { new: 0, tried: 0 }
      if (entry.tried) counts.tried++
      else counts.new++
    }
    return out
  }

  /** Every entry, in sampling order; swapDense() reorders it. */
  get all (): readonly AddrEntry[] {
    return this.dense
  }

  get (key: string): AddrEntry | undefined {
    return this.byKey.get(key)
  }

  has (key: string): boolean {
    return this.byKey.has(key)
  }

  /** Gives a new entry an id; it holds no position until linked. */
  insert (entry: AddrEntry): AddrEntry {
    entry.id = this.freeIds.pop() ?? this.entries.length
    this.entries[entry.id] = entry
    this.byKey.set(entry.key, entry)
    entry.denseIndex = this.dense.length
    this.dense.push(entry)
    return entry
  }

  /** Forgets an entry that holds no table position. */
  remove (entry: AddrEntry): void {
    this.entries[entry.id] = undefined
    this.freeIds.push(entry.id)
    this.byKey.delete(entry.key)
    this.swapDense(entry.denseIndex, this.dense.length - 1)
    this.dense.pop()
  }


  /** Up to `want` entries that pass `accept`, in random order (a partial Fisher-Yates shuffle of the dense array). */
  sample (want: number, randomInt: (n: number) => number, accept: (entry: AddrEntry) => boolean): AddrEntry[] {
    const all = this.dense
    const out: AddrEntry[] = []
    for (let i = 0; i < all.length && out.length < want; i++) {
      this.swapDense(i, i + randomInt(all.length - i))
      const entry = all[i]
      if (entry !== undefined && accept(entry)) out.push(entry)
    }
    return out
  }

  swapDense (i: number, j: number): void {
    const a = this.dense[i]
    const b = this.dense[j]
    if (a === undefined || b === undefined || i === j) return
    this.dense[i] = b
    this.dense[j] = a
    b.denseIndex = i
    a.denseIndex = j
  }

  newOccupant (pos: number): AddrEntry | undefined {
    return this.entries[this.newTable[pos] ?? EMPTY]
  }

  triedOccupant (pos: number): AddrEntry | undefined {
    return this.entries[this.triedTable[pos] ?? EMPTY]
  }

  isNewFree (pos: number): boolean {
    return this.newTable[pos] === EMPTY
  }

  /** Links the entry at tried position `pos` if that exists and is free (stored positions may be out of range). */
  linkTriedIfFree (entry: AddrEntry, pos: number): boolean {
    if (this.triedTable[pos] !== EMPTY) return false
    this.linkTried(entry, pos)
    return true
  }

  /** Links the entry at each of `positions` that exists and is free, up to `maxRefs` references; returns how many. */
  linkNewWhereFree (entry: AddrEntry, positions: readonly number[], maxRefs: number): number {
    let linked = 0
    for (const pos of positions) {
      if (entry.newPos.length >= maxRefs || this.newTable[pos] !== EMPTY) continue
      this.linkNew(entry, pos)
      linked++
    }
    return linked
  }

  isBucketEmpty (tried: boolean, bucket: number): boolean {
    return (tried ? this.triedFill : this.newFill)[bucket] === 0
  }

  /** The first entry in `bucket` from slot `start` on, wrapping around; undefined only if the bucket is empty. */
  firstInBucket (tried: boolean, bucket: number, start: number): AddrEntry | undefined {
    const table = tried ? this.triedTable : this.newTable
    const base = bucket * BUCKET_SIZE
    let id = EMPTY
    for (let i = 0; i < BUCKET_SIZE && id === EMPTY; i++) id = table[base + ((start + i) % BUCKET_SIZE)] ?? EMPTY
    return this.entries[id]
  }

  linkNew (entry: AddrEntry, pos: number): void {
    this.newTable[pos] = entry.id
    this.newFill[pos >> BUCKET_SHIFT]!++
    entry.newPos.push(pos)
    this.byGroup?.new.add(entry)
    this.byGroup?.all.add(entry)
  }

  /** Empties one of the entry's new positions; the entry stays held even with none left. */
  unlinkNew (entry: AddrEntry, pos: number): void {
    entry.newPos.splice(entry.newPos.indexOf(pos), 1)
    this.newTable[pos] = EMPTY
    this.newFill[pos >> BUCKET_SHIFT]!--
    if (entry.newPos.length === 0) this.#unindexNew(entry)
  }

  /** Empties all of the entry's new positions at once (it is moving to tried). */
  unlinkAllNew (entry: AddrEntry): void {
    for (const pos of entry.newPos) {
      this.newTable[pos] = EMPTY
      this.newFill[pos >> BUCKET_SHIFT]!--
    }
    entry.newPos = []
    this.#unindexNew(entry)
  }

  /** The entry left the new table: out of its index, and out of the book's while it is not tried either. */
  #unindexNew (entry: AddrEntry): void {
    this.byGroup?.new.delete(entry)
    if (!entry.tried) this.byGroup?.all.delete(entry)
  }

  linkTried (entry: AddrEntry, pos: number): void {
    this.triedTable[pos] = entry.id
    this.triedFill[pos >> BUCKET_SHIFT]!++
    entry.tried = true
    entry.triedPos = pos
    this.tried++
    this.byGroup?.tried.add(entry)
    this.byGroup?.all.add(entry)
  }

  unlinkTried (entry: AddrEntry): void {
    this.triedTable[entry.triedPos] = EMPTY
    this.triedFill[entry.triedPos >> BUCKET_SHIFT]!--
    entry.tried = false
    entry.triedPos = -1
    this.tried--
    this.byGroup?.tried.delete(entry)
    if (entry.newPos.length === 0) this.byGroup?.all.delete(entry)
  }

  clear (): void {
    this.newTable.fill(EMPTY)
    this.triedTable.fill(EMPTY)
    this.newFill.fill(0)
    this.triedFill.fill(0)
    this.entries = []
    this.freeIds = []
    this.byKey.clear()
    this.dense = []
    this.tried = 0
    this.byGroup?.all.clear()
    this.byGroup?.new.clear()
    this.byGroup?.tried.clear()
  }
}
