import { EventEmitter } from 'node:events'
import type { Clock } from '../util/clock.ts'
import { parseBanTarget } from './ban-target.ts'
import { CidrSet } from './cidr-set.ts'
import { BanInputError } from './errors.ts'

/** Core's DEFAULT_MISBEHAVING_BANTIME: long enough to shed a bad peer, short enough to forgive a reused IP. */
export const DEFAULT_BAN_DURATION_MS = 24 * 60 * 60 * 1000

const DEFAULT_BAN_REASON = 'unspecified'

/** One ban, JSON-safe so the store can keep it as is. */
export interface BanEntry {
  /** The canonical target: `1.2.3.4`, `2001:db8::1`, `10.0.0.0/8`, `2001:db8::/32`, `<56>.onion`. */
  readonly target: string
  readonly reason: string
  /** When the ban was made, ms since the epoch. */
  readonly createdMs: number
  /** When it lapses, ms since the epoch. */
  readonly expiresMs: number
}

export type BanChange =
  | { readonly type: 'added', readonly entry: BanEntry }
  | { readonly type: 'removed', readonly entry: BanEntry, readonly expired: boolean }

export interface BanListEvents {
  /** A ban was made, extended or lifted (by unban or by expiring); the store writes it at once. */
  changed: [change: BanChange]
}

export interface BanListComponents {
  clock: Clock
}

export interface BanListInit {
  /** @default DEFAULT_BAN_DURATION_MS (24 h) */
  defaultDurationMs?: number
}

export interface BanOptions {
  durationMs?: number
  reason?: string
}

/**
 * Bans by address or subnet, each with an expiry. Pure and in memory: time comes from the clock, and
 * persistence listens to 'changed'. isBanned runs on every dial and accept, so single addresses are one
 * Map lookup and subnets one lookup per distinct prefix length in use.
 */
export class BanList extends EventEmitter<BanListEvents> {
  readonly #clock: Clock
  readonly #defaultDurationMs: number
  /** Every ban by its canonical target. */
  readonly #entries = new CidrSet<BanEntry>()

  constructor (components: BanListComponents, init: BanListInit = {}) {
    super()
    this.#clock = components.clock
    this.#defaultDurationMs = checkDuration(init.defaultDurationMs ?? DEFAULT_BAN_DURATION_MS)
  }

  /**
   * Bans `target` (IP, CIDR or .onion/.i2p host). A ban already in force that lasts longer is kept
   * (a short automatic ban never shortens a long manual one); otherwise the new ban replaces it.
   */
  ban (target: string, options: BanOptions = {}): BanEntry {
    const parsed = parseBanTarget(target)
    const now = this.#clock.now()
    const entry: BanEntry = {
      target: parsed.key,
      reason: options.reason ?? DEFAULT_BAN_REASON,
      createdMs: now,
      expiresMs: now + checkDuration(options.durationMs ?? this.#defaultDurationMs)
    }
    const existing = this.#entries.get(parsed.key)
    if (existing !== undefined && this.#inForce(existing, now) && existing.expiresMs >= entry.expiresMs) return existing
    this.#entries.set(parsed, entry)
    this.emit('changed', { type: 'added', entry })
    return entry
  }

  /** Lifts the ban on exactly `target` (not on subnets containing it); false if there was none. */
  unban (target: string): boolean {
    const entry = this.#entries.get(parseBanTarget(target).key)
    if (entry === undefined) return false
    this.#remove(entry, false)
    return true
  }

  isBanned (host: string): boolean {
    return this.match(host) !== undefined
  }

  /** The ban in force that covers `host` (an address ban first, then the longest subnet), if any. */
  match (host: string): BanEntry | undefined {
    const now = this.#clock.now()
    return this.#entries.match(host, (entry) => this.#inForce(entry, now))
  }

  /** The bans in force, oldest first. */
  list (): BanEntry[] {
    this.prune()
    return [...this.#entries.values()].sort((a, b) => a.createdMs - b.createdMs || a.target.localeCompare(b.target))
  }

  get size (): number {
    return this.#entries.size
  }

  /** Drops every expired ban (each emits 'changed' removed/expired); returns how many. */
  prune (): number {
    const now = this.#clock.now()
    let removed = 0
    for (const entry of [...this.#entries.values()]) {
      if (entry.expiresMs <= now) {
        this.#remove(entry, true)
        removed++
      }
    }
    return removed
  }

  /**
   * Restores persisted bans without announcing them (they are stored already). Expired ones are dropped
   * and announced as removed so the store deletes them. Throws BanInputError on a target that does not parse.
   */
  load (entries: readonly BanEntry[]): void {
    const now = this.#clock.now()
    for (const stored of entries) {
      const parsed = parseBanTarget(stored.target)
      const entry = { ...stored, target: parsed.key }
      if (entry.expiresMs <= now) {
        this.emit('changed', { type: 'removed', entry, expired: true })
        continue
      }
      this.#entries.set(parsed, entry)
    }
  }

  /** Whether `entry` is still in force; an expired one is removed on the way. */
  #inForce (entry: BanEntry, now: number): boolean {
    if (entry.expiresMs > now) return true
    this.#remove(entry, true)
    return false
  }

  #remove (entry: BanEntry, expired: boolean): void {
    this.#entries.delete(parseBanTarget(entry.target))
    this.emit('changed', { type: 'removed', entry, expired })
  }
}

function checkDuration (ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new BanInputError(`ban duration ${ms} ms is not a positive number of milliseconds`)
  return ms
}
