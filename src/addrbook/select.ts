import { selectionChance, type AddrInfo } from './addr-entry.ts'
import { AddrBookError } from './errors.ts'
import { BUCKET_SIZE, NEW_BUCKET_COUNT, TRIED_BUCKET_COUNT } from './placement.ts'
import type { AddrTables } from './tables.ts'
import type { Random } from '../util/random.ts'

/** Each miss in select() makes acceptance this much likelier, so selection always ends. */
const SELECT_FACTOR_STEP = 1.2

/** How outbound picks draw from the book: a network group first (the default), or Core's buckets. */
export const SELECTIONS = ['group', 'core'] as const
export type Selection = typeof SELECTIONS[number]
export const DEFAULT_SELECTION: Selection = 'group'

/**
 * Core's Select (PR #23140's bucket-then-walk): tried or new with equal odds (new only if `newOnly`), a
 * random non-empty bucket, the first entry from a random slot on, accepted with probability
 * factor × chance, the factor growing ×1.2 per miss. With group-indexed tables (selection 'group'), a
 * uniformly random group of the whole book (of the new table if `newOnly`) takes the place of the
 * bucket, and Core's choice of table is made within it (AddrTables.pickByGroup): a group's odds then grow
 * neither with how many addresses it holds nor with how many of them reached tried. A miss draws a new
 * group, so a group weighs as much as its addresses' chance: one whose addresses all failed just now is
 * drawn about 1 % as often as a fresh one.
 */
export function selectEntry (tables: AddrTables, random: Random, nowS: number, newOnly: boolean): AddrInfo | undefined {
  const triedCount = tables.triedCount
  const newCount = tables.count - triedCount
  if (newCount === 0 && (newOnly || triedCount === 0)) return undefined
  let factor = 1
  if (tables.groupIndexed) {
    for (;;) {
      const entry = tables.pickByGroup(newOnly, (n) => random.int(n))
      if (entry === undefined) throw new AddrBookError('address book: a table counted non-empty has no group')
      if (random.float() < factor * selectionChance(entry, nowS)) return entry
      factor *= SELECT_FACTOR_STEP
    }
  }
  const searchTried = newOnly || triedCount === 0 ? false : newCount === 0 ? true : random.float() < 0.5
  const bucketCount = searchTried ? TRIED_BUCKET_COUNT : NEW_BUCKET_COUNT
  for (;;) {
    const bucket = random.int(bucketCount)
    if (tables.isBucketEmpty(searchTried, bucket)) continue
    const entry = tables.firstInBucket(searchTried, bucket, random.int(BUCKET_SIZE))
    if (entry === undefined) throw new AddrBookError(`address book: bucket ${bucket} counted full but holds no entry`)
    if (random.float() < factor * selectionChance(entry, nowS)) return entry
    factor *= SELECT_FACTOR_STEP
  }
}
