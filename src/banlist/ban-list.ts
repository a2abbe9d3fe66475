import { EventEmitter } from 'node:events'
import type { Clock } from '../util/clock.ts'
import { hostBytes, maskBytes, parseBanTarget, subnetKey } from './ban-target.ts'
import type { BanTarget } from './ban-target.ts'
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
  /** Every ban by its canonical target; single-address bans are found here by canonical host. */
  readonly #entries = new Map<string, BanEntry>()
  /** Subnet bans per address length (4 or 16 bytes), then per prefix length: the masked-network keys in use. */
  readonly #subnets = new Map<number, Map<number, Set<string>>>()

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
    const existing = this.#live(parsed.key, now)
    if (existing !== undefined && existing.expiresMs >= entry.expiresMs) return existing
    this.#index(entry, parsed)
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
    // Fast path: NetAddress hosts are already canonical, so most lookups end here.
    const direct = this.#live(host, now)
    if (direct !== undefined) return direct
    const bytes = hostBytes(host)
    if (bytes === undefined) return this.#live(host.toLowerCase(), now)
    const exact = this.#live(subnetKey(bytes, bytes.length * 8), now)
    if (exact !== undefined) return exact
    const byPrefix = this.#subnets.get(bytes.length)
    if (byPrefix === undefined) return undefined
    let best: BanEntry | undefined
    let bestBits = -1
    for (const [prefixBits, keys] of byPrefix) {
      if (prefixBits <= bestBits) continue
      const key = subnetKey(maskBytes(bytes, prefixBits), prefixBits)
      if (!keys.has(key)) continue
      const entry = this.#live(key, now)
      if (entry !== undefined) {
        best = entry
        bestBits = prefixBits
      }
    }
    return best
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
      this.#index(entry, parsed)
    }
  }

  /** The entry under `key` if it is still in force; an expired one is removed on the way. */
  #live (key: string, now: number): BanEntry | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined || entry.expiresMs > now) return entry
    this.#remove(entry, true)
    return undefined
  }

  #index (entry: BanEntry, parsed: BanTarget): void {
    this.#entries.set(entry.target, entry)
    if (parsed.bytes === undefined || parsed.prefixBits === parsed.bytes.length * 8) return
    let byPrefix = this.#subnets.get(parsed.bytes.length)
    if (byPrefix === undefined) this.#subnets.set(parsed.bytes.length, byPrefix = new Map())
    let keys = byPrefix.get(parsed.prefixBits)
    if (keys === undefined) byPrefix.set(parsed.prefixBits, keys = new Set())
    keys.add(entry.target)
  }

  #remove (entry: BanEntry, expired: boolean): void {
    this.#entries.delete(entry.target)
    if (entry.target.includes('/')) {
      const { bytes, prefixBits } = parseBanTarget(entry.target)
      const byPrefix = this.#subnets.get(bytes?.length ?? 0)
      const keys = byPrefix?.get(prefixBits)
      keys?.delete(entry.target)
      if (keys?.size === 0) byPrefix?.delete(prefixBits)
    }
    this.emit('changed', { type: 'removed', entry, expired })
  }
}

function checkDuration (ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new BanInputError(`ban duration ${ms} ms is not a positive number of milliseconds`)
  return ms
}
