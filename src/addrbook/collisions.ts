import type { AddrInfo } from './addr-entry.ts'

/**
 * Test-before-evict (Core PR #9037): when an address that just proved good would land on a tried slot
 * another address holds, the occupant is tested (by a feeler) before it is replaced. These are the pure
 * decisions; AddrBook keeps the pending collisions and acts on them.
 */

/** Core's SET_TRIED_COLLISION_SIZE: more pending collisions than this are dropped (the newcomer waits). */
export const MAX_TRIED_COLLISIONS = 10
/** Core's ADDRMAN_REPLACEMENT: an occupant that answered within 4 h keeps its slot. */
export const REPLACEMENT_WINDOW_S = 4 * 3600
/** Core gives a tested occupant 60 s to answer before a failed try counts against it. */
export const OCCUPANT_ANSWER_GRACE_S = 60
/** Core's ADDRMAN_TEST_WINDOW: a collision nobody tested within 40 min is resolved for the newcomer. */
export const COLLISION_TEST_WINDOW_S = 40 * 60

export type CollisionOutcome =
  /** The occupant answered recently: it stays, the newcomer stays in new. */
  | 'keep-occupant'
  /** The occupant failed its test (or was never tested in time): the newcomer takes the slot. */
  | 'replace'
  /** A test is due or under way: decide later. */
  | 'wait'

type Times = Pick<AddrInfo, 'lastSuccess' | 'lastAttempt'>

/** Core's ResolveCollisions for one pair: newcomer N, tried occupant O, at `nowS`. */
export function collisionOutcome (newcomer: Times, occupant: Times, nowS: number): CollisionOutcome {
  if (nowS - occupant.lastSuccess < REPLACEMENT_WINDOW_S) return 'keep-occupant'
  if (nowS - occupant.lastAttempt < REPLACEMENT_WINDOW_S) {
    // Tried lately without success: once it had its minute to answer, it loses the slot.
    return nowS - occupant.lastAttempt > OCCUPANT_ANSWER_GRACE_S ? 'replace' : 'wait'
  }
  return nowS - newcomer.lastSuccess > COLLISION_TEST_WINDOW_S ? 'replace' : 'wait'
}

/** What TriedCollisions needs of the book: its entries, the occupant of an entry's tried slot, the move. */
export interface CollisionTables<E extends AddrInfo> {
  get(key: string): E | undefined
  triedOccupantOf(entry: E): E | undefined
  /** Moves the entry to tried, sending the occupant back to new. */
  makeTried(entry: E): void
}

/** The pending collisions (keys of newcomers), in memory only as in Core. */
export class TriedCollisions<E extends AddrInfo> {
  readonly #keys = new Set<string>()

  get size (): number { return this.#keys.size }

  /** Records a newcomer whose slot is taken; beyond MAX_TRIED_COLLISIONS it is not recorded. */
  add (key: string): void {
    if (this.#keys.size < MAX_TRIED_COLLISIONS) this.#keys.add(key)
  }

  clear (): void { this.#keys.clear() }

  /** Applies collisionOutcome to each pending collision; returns the newcomers moved to tried. */
  resolve (tables: CollisionTables<E>, nowS: number): E[] {
    const moved: E[] = []
    for (const key of [...this.#keys]) {
      const entry = this.#live(tables, key)
      if (entry === undefined) continue
      const occupant = tables.triedOccupantOf(entry)
      const outcome = occupant === undefined ? 'replace' : collisionOutcome(entry, occupant, nowS)
      if (outcome === 'wait') continue
      this.#keys.delete(key)
      if (outcome === 'replace') {
        tables.makeTried(entry)
        moved.push(entry)
      }
    }
    return moved
  }

  /** The occupant of a random pending collision's slot (Core's SelectTriedCollision), for a feeler to test. */
  pick (tables: CollisionTables<E>, randomIndex: (n: number) => number): E | undefined {
    const keys = [...this.#keys]
    if (keys.length === 0) return undefined
    const entry = this.#live(tables, keys[randomIndex(keys.length)] as string)
    return entry === undefined ? undefined : tables.triedOccupantOf(entry)
  }

  /** The newcomer, or undefined (and the collision forgotten) if it left the book or reached tried. */
  #live (tables: CollisionTables<E>, key: string): E | undefined {
    const entry = tables.get(key)
    if (entry !== undefined && !entry.tried) return entry
    this.#keys.delete(key)
    return undefined
  }
}
