import type { NetAddress } from '../netaddr/netaddress.ts'
import { addrKey } from '../netaddr/netaddress.ts'
import type { Direction } from '../peer/handshake-policy.ts'
import { PeerValueInputError } from './errors.ts'

/**
 * An inbound peer connects from an ephemeral port, so only its IP says who it is; an outbound peer is the
 * host:port we dialed (several nodes may listen behind one IP).
 */
export function peerKeyOf (addr: NetAddress, direction: Direction): string {
  return direction === 'inbound' ? addr.host : addrKey(addr)
}

/**
 * How long a peer's tags outlive its last connection: long enough for a node that restarts, or a peer
 * that drops and dials back after its backoff, to find its value again (Core's feeler and btcd's retry
 * land within minutes); short enough that a flood of one-shot addresses is forgotten.
 */
export const TAG_RETENTION_MS = 10 * 60_000
/** Disconnected peers remembered at once; beyond it the longest-gone go first (bounds memory under a flood). */
export const MAX_RETAINED_PEERS = 10_000

/** What is known about one peer's tags (go-libp2p's TagInfo). */
export interface TagInfo {
  /** When the peer was first tagged or connected (ms). */
  readonly firstSeenMs: number
  /** The sum of the live tag values. */
  readonly value: number
  /** Live tags by name. */
  readonly tags: Readonly<Record<string, number>>
  /** Open connections to the peer. */
  readonly connections: number
}

export interface TagOptions {
  /** The tag expires this long after being set (js-libp2p's TTL tags). */
  readonly ttlMs?: number
}

interface TagValue { value: number, expiresAtMs: number | undefined }

interface PeerEntry {
  readonly firstSeenMs: number
  readonly tags: Map<string, TagValue>
  connections: number
  /** When the last connection closed; undefined while connected or never connected. */
  goneAtMs: number | undefined
}

function checkValue (name: string, value: number): void {
  if (name === '') throw new PeerValueInputError('a tag needs a non-empty name')
  if (!Number.isFinite(value)) throw new PeerValueInputError(`tag ${name}: value must be a finite number, got ${value}`)
}

/**
 * Tags and protections on peers (go-libp2p's ConnManager tagging API, with js-libp2p's TTL tags). Values
 * are plain numbers, negatives allowed; a peer's value is the sum of its live tags. Pure bookkeeping on
 * a time the caller passes, no timers: expired tags and long-gone peers are dropped as they are read or
 * by sweep(). Protections are held apart from tags and survive disconnects until Unprotect, as in
 * go-libp2p: they are decisions of the operator or the embedder, not observations.
 */
export class PeerTags {
  readonly #peers = new Map<string, PeerEntry>()
  readonly #protections = new Map<string, Set<string>>()
  /** Keys of disconnected peers in the order they left (stale entries are skipped). */
  #gone: string[] = []
  /** Entries without a connection. */
  #away = 0

  /** Sets a tag's value (replacing it), creating the peer's entry if needed. */
  tag (key: string, name: string, value: number, nowMs: number, options: TagOptions = {}): void {
    checkValue(name, value)
    const ttl = options.ttlMs
    if (ttl !== undefined && !(ttl >= 0 && Number.isFinite(ttl))) throw new PeerValueInputError(`tag ${name}: ttlMs must be a finite number >= 0, got ${ttl}`)
    this.#entry(key, nowMs).tags.set(name, { value, expiresAtMs: ttl === undefined ? undefined : nowMs + ttl })
  }

  /** Removes a tag; nothing happens for an unknown peer or tag. */
  untag (key: string, name: string): void {
    this.#peers.get(key)?.tags.delete(name)
  }

  /** Sets the tag to `upsert(current value, or 0 when absent)` (go-libp2p's UpsertTag). */
  upsert (key: string, name: string, upsert: (current: number) => number, nowMs: number): void {
    const current = this.#live(this.#peers.get(key), name, nowMs)
    this.tag(key, name, upsert(current ?? 0), nowMs)
  }

  /** One tag's live value, or undefined. */
  tagValue (key: string, name: string, nowMs: number): number | undefined {
    return this.#live(this.#peers.get(key), name, nowMs)
  }

  /** The sum of the peer's live tags (0 for an unknown peer). */
  value (key: string, nowMs: number): number {
    const entry = this.#peers.get(key)
    if (entry === undefined) return 0
    let sum = 0
    for (const name of entry.tags.keys()) sum += this.#live(entry, name, nowMs) ?? 0
    return sum
  }

  /** Everything known about the peer, or undefined. */
  info (key: string, nowMs: number): TagInfo | undefined {
    const entry = this.#peers.get(key)
    if (entry === undefined) return undefined
    const tags: Record<string, number> = {}
    for (const name of [...entry.tags.keys()]) {
      const v = this.#live(entry, name, nowMs)
      if (v !== undefined) tags[name] = v
    }
    return { firstSeenMs: entry.firstSeenMs, value: Object.values(tags).reduce((a, b) => a + b, 0), tags, connections: entry.connections }
  }

  /** A connection to the peer opened (its tags stop ageing out). */
  connected (key: string, nowMs: number): void {
    const entry = this.#entry(key, nowMs)
    if (entry.goneAtMs !== undefined) this.#away--
    entry.connections++
    entry.goneAtMs = undefined
  }

  /** A connection to the peer closed; after the last one its tags are kept TAG_RETENTION_MS. */
  disconnected (key: string, nowMs: number): void {
    const entry = this.#peers.get(key)
    if (entry === undefined || entry.connections === 0) return
    if (--entry.connections > 0) return
    entry.goneAtMs = nowMs
    this.#away++
    this.#gone.push(key)
    this.sweep(nowMs)
  }

  /**
   * Protects the peer under `tag` (idempotent, not reference counted: one unprotect undoes any number of
   * protects). Protection is kept while the peer is away.
   */
  protect (key: string, tag: string): void {
    if (tag === '') throw new PeerValueInputError('a protection needs a non-empty tag')
    let tags = this.#protections.get(key)
    if (tags === undefined) this.#protections.set(key, tags = new Set())
    tags.add(tag)
  }

  /** Removes one protection; returns whether another tag still protects the peer. */
  unprotect (key: string, tag: string): boolean {
    const tags = this.#protections.get(key)
    if (tags === undefined) return false
    tags.delete(tag)
    if (tags.size === 0) this.#protections.delete(key)
    return tags.size > 0
  }

  /** Whether the peer is protected under `tag`, or under any tag when `tag` is omitted or ''. */
  isProtected (key: string, tag = ''): boolean {
    const tags = this.#protections.get(key)
    if (tags === undefined) return false
    return tag === '' ? tags.size > 0 : tags.has(tag)
  }

  /** Peers with an entry (connected, or gone less than TAG_RETENTION_MS ago). */
  get size (): number {
    return this.#peers.size
  }

  /** Drops peers gone longer than TAG_RETENTION_MS, and the longest-gone beyond MAX_RETAINED_PEERS. */
  sweep (nowMs: number): void {
    let head = 0
    for (; head < this.#gone.length; head++) {
      const key = this.#gone[head] as string
      const entry = this.#peers.get(key)
      if (entry === undefined || entry.goneAtMs === undefined) continue // reconnected or dropped: stale
      if (this.#away <= MAX_RETAINED_PEERS && nowMs - entry.goneAtMs < TAG_RETENTION_MS) break
      this.#peers.delete(key)
      this.#away--
    }
    if (head > 0) this.#gone = this.#gone.slice(head)
  }

  /** Whether the peer has an entry. */
  has (key: string): boolean {
    return this.#peers.has(key)
  }

  #entry (key: string, nowMs: number): PeerEntry {
    let entry = this.#peers.get(key)
    if (entry === undefined) {
      // Tagged before (or without) connecting: it ages out like a disconnected peer unless it connects.
      this.#peers.set(key, entry = { firstSeenMs: nowMs, tags: new Map(), connections: 0, goneAtMs: nowMs })
      this.#away++
      this.#gone.push(key)
    }
    return entry
  }

  #live (entry: PeerEntry | undefined, name: string, nowMs: number): number | undefined {
    const tag = entry?.tags.get(name)
    if (tag === undefined) return undefined
    if (tag.expiresAtMs !== undefined && nowMs >= tag.expiresAtMs) {
      entry?.tags.delete(name)
      return undefined
    }
    return tag.value
  }
}
