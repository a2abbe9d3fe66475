import { hash } from 'node:crypto'

/** Core's table geometry (addrman_impl.h): 1024 new and 256 tried buckets of 64 slots, 81,920 entries. */
export const NEW_BUCKET_COUNT = 1024
export const TRIED_BUCKET_COUNT = 256
export const BUCKET_SIZE = 64
/** One source group reaches at most this many new buckets, so one gossiping peer fills at most 1/16 of new. */
export const NEW_BUCKETS_PER_SOURCE_GROUP = 64
/** One address group reaches at most this many tried buckets. */
export const TRIED_BUCKETS_PER_GROUP = 8
export const KEY_BYTES = 32

/** Cached outer-hash tables are dropped past this many groups so memory stays bounded under spam. */
const MAX_CACHED_GROUPS = 8192
const UNSET = -1

/**
 * Bucket and slot placement keyed by the book's secret key, with Core's formulas:
 *   tried bucket = H(k, grp(a), H(k, a) % 8) % 256
 *   new bucket   = H(k, grp(src), H(k, grp(a), grp(src)) % 64) % 1024
 *   slot         = H(k, 'N'|'K', bucket, a) % 64
 * H is one SHA-256 over the key (as hex) and the fields as text with separators and a domain letter, not
 * Core's SHA256d over its serialization: the security comes from the secret key, one round is enough,
 * and hashing short strings with the one-shot crypto.hash is the fastest path in Node. The outer hashes
 * depend on the group and a small index only, so they are cached per group (at most 64 or 8 values).
 */
export class Placement {
  private readonly keyHex: string
  // Rows are plain arrays, not typed arrays: gossip brings many groups seen once, and a typed array
  // costs several times more to allocate.
  private readonly newOuter = new Map<string, number[]>()
  private readonly triedOuter = new Map<string, number[]>()

  constructor (key: Uint8Array) {
    this.keyHex = Buffer.from(key).toString('hex')
  }

  /** The new-table position (bucket * 64 + slot) of address `key` of group `group` from a source of `sourceGroup`. */
  newPosition (group: string, sourceGroup: string, key: string): number {
    const bucket = this.newBucket(group, sourceGroup)
    return bucket * BUCKET_SIZE + this.slot(true, bucket, key)
  }

  /** The tried-table position of address `key` of group `group`. */
  triedPosition (key: string, group: string): number {
    const bucket = this.triedBucket(key, group)
    return bucket * BUCKET_SIZE + this.slot(false, bucket, key)
  }

  /** The new bucket for an address of group `group` learnt from a source of group `sourceGroup`. */
  private newBucket (group: string, sourceGroup: string): number {
    const index = this.h(`A|${group}|${sourceGroup}`) % NEW_BUCKETS_PER_SOURCE_GROUP
    return this.cachedOuter(this.newOuter, sourceGroup, NEW_BUCKETS_PER_SOURCE_GROUP, index, 'B', NEW_BUCKET_COUNT)
  }

  /** The tried bucket for the address with key `key` and group `group`. */
  private triedBucket (key: string, group: string): number {
    const index = this.h(`T|${key}`) % TRIED_BUCKETS_PER_GROUP
    return this.cachedOuter(this.triedOuter, group, TRIED_BUCKETS_PER_GROUP, index, 'U', TRIED_BUCKET_COUNT)
  }

  /** The slot of an address within a bucket; `isNew` separates the two tables as Core's 'N'/'K' does. */
  private slot (isNew: boolean, bucket: number, key: string): number {
    return this.h(`${isNew ? 'N' : 'K'}|${bucket}|${key}`) % BUCKET_SIZE
  }

  private cachedOuter (cache: Map<string, number[]>, group: string, width: number, index: number, domain: string, modulus: number): number {
    let row = cache.get(group)
    if (row === undefined) {
      if (cache.size >= MAX_CACHED_GROUPS) cache.clear()
      row = new Array<number>(width).fill(UNSET)
      cache.set(group, row)
    }
    let bucket = row[index] ?? UNSET
    if (bucket === UNSET) {
      bucket = this.h(`${domain}|${group}|${index}`) % modulus
      row[index] = bucket
    }
    return bucket
  }

  /** The first 32 bits of SHA-256(key ‖ text); every modulus used is a power of two ≤ 2^32. */
  private h (text: string): number {
    return parseInt(hash('sha256', this.keyHex + text, 'hex').slice(0, 8), 16)
  }
}
