import { monitorEventLoopDelay } from 'node:perf_hooks'
import { networkOf, type NetAddress } from '../netaddr/netaddress.ts'
import type { Peer } from '../peer/peer.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { ConnectionInfo } from '../registry/types.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { Random } from '../util/random.ts'
import type { Startable } from '../util/startable.ts'
import { bumpSumBounded, Decayer, decayLinear, type DecayingTag } from './decayer.ts'
import type { PeerValueEventMap } from './events.ts'
import { keyedNetGroup, selectNodeToEvict, type EvictionCandidate } from './eviction.ts'
import { peerKeyOf, PeerTags } from './tags.ts'
import { checkTrimSettings, DEFAULT_GRACE_PERIOD_MS, DEFAULT_SILENCE_PERIOD_MS, needsTrim, selectOverloadVictims, selectTrimVictims, type TrimCandidate } from './trimming.ts'

/** The node's own tags. */
export const TAG = {
  /** Decaying: novel addresses relayed, low ping, uptime. */
  usefulness: 'usefulness',
  /** Outbound connections are the node's own choice: trimmed after every inbound peer of lower value. */
  outbound: 'outbound',
  /** Protection tags. */
  whitelist: 'whitelist',
  permanent: 'permanent'
} as const

/** Usefulness halves every 10 minutes: a peer is valued for what it did lately, not once. */
export const USEFULNESS_INTERVAL_MS = 10 * 60_000
/** Usefulness stays within [0, 100], so no peer buys lasting immunity. */
export const USEFULNESS_MAX = 100
/** Each novel address relayed adds this (the addr bucket lets through at most one per 10 s). */
export const NOVEL_ADDR_CREDIT = 1
/** Each usefulness interval connected adds this (uptime). */
export const UPTIME_CREDIT = 5
/** …and this when the peer's minimum ping is below LOW_PING_MS. */
export const LOW_PING_CREDIT = 5
/** A round trip under this is a nearby peer (same continent). */
export const LOW_PING_MS = 100
/** An outbound connection's standing value. */
export const OUTBOUND_VALUE = 50
/** Keyed netgroups cached at once (a flood from many groups must not grow the cache). */
const MAX_CACHED_GROUPS = 4096

export interface PeerValueSettings {
  /** Trim when this many connections are open; 0 = off (the default). */
  readonly highWater: number
  /** …down to this many. 0 = off. */
  readonly lowWater: number
  readonly gracePeriodMs: number
  readonly silencePeriodMs: number
  /** Trim the lowest-valued inbound peers while the event loop's p99 delay is above this (ms); 0 = off. */
  readonly maxEventLoopDelayMs: number
}

export const DEFAULT_PEER_VALUE_SETTINGS: PeerValueSettings = Object.freeze({
  highWater: 0, lowWater: 0, gracePeriodMs: DEFAULT_GRACE_PERIOD_MS, silencePeriodMs: DEFAULT_SILENCE_PERIOD_MS, maxEventLoopDelayMs: 0
})

export interface PeerValueComponents {
  clock: Clock
  random: Random
  events: EventSink<PeerValueEventMap>
  registry: ConnectionRegistry<Peer>
  /** The event loop's recent p99 delay (ms). @default perf_hooks' monitorEventLoopDelay, reset each trim */
  eventLoopDelayMs?: () => number
}

export interface PeerValueInit extends Partial<PeerValueSettings> {
  /** Inbound slots; a newcomer beyond them evicts a peer or is refused. */
  maxInbound: number
}

/**
 * The node's peer value: tags and protections (PeerTags), the usefulness decaying tag, inbound eviction
 * when the table is full, and trimming between the water marks. The node tells it about every connection
 * (track) and every novel address a peer relayed; the listener asks admitInbound() for a slot.
 */
export class PeerValue implements Startable {
  readonly tags = new PeerTags()
  readonly decayer: Decayer
  readonly settings: PeerValueSettings
  readonly #c: PeerValueComponents
  readonly #maxInbound: number
  readonly #key: Uint8Array
  readonly #groups = new Map<string, number>()
  readonly #lastNovelAddrMs = new Map<number, number>()
  #usefulness: DecayingTag | undefined
  #timers: TimerHandle[] = []
  #delay: { sample: () => number, stop: () => void } | undefined

  constructor (components: PeerValueComponents, init: PeerValueInit) {
    this.#c = components
    this.#maxInbound = init.maxInbound
    const { maxInbound: _, ...rest } = init
    const s = { ...DEFAULT_PEER_VALUE_SETTINGS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) }
    checkTrimSettings(s)
    this.settings = s
    this.decayer = new Decayer({ clock: components.clock, tags: this.tags })
    this.#key = components.random.bytes(32)
  }

  start (): void {
    const { clock } = this.#c
    this.#usefulness = this.decayer.register(TAG.usefulness, USEFULNESS_INTERVAL_MS, decayLinear(0.5), bumpSumBounded(0, USEFULNESS_MAX))
    this.#timers.push(clock.setInterval(() => { this.#creditUptime() }, USEFULNESS_INTERVAL_MS))
    const s = this.settings
    if (s.highWater > 0 || s.maxEventLoopDelayMs > 0) this.#timers.push(clock.setInterval(() => { this.trim() }, s.silencePeriodMs))
    if (s.maxEventLoopDelayMs > 0) this.#delay = this.#delaySampler()
  }

  stop (): void {
    for (const t of this.#timers) this.#c.clock.clearInterval(t)
    this.#timers = []
    this.#delay?.stop()
    this.#delay = undefined
    this.decayer.close()
  }

  /** A connection opened: tags follow its peer; permanent and whitelisted peers are protected. */
  track (conn: ConnectionInfo<Peer>): void {
    const now = this.#c.clock.now()
    const key = peerKeyOf(conn.addr, conn.direction)
    this.tags.connected(key, now)
    if (conn.session.whitelisted) this.tags.protect(key, TAG.whitelist)
    if (conn.kind === 'manual') this.tags.protect(key, TAG.permanent)
    if (conn.kind === 'outbound-full-relay') this.tags.tag(key, TAG.outbound, OUTBOUND_VALUE, now)
    conn.session.once('close', () => {
      this.#lastNovelAddrMs.delete(conn.id)
      this.tags.disconnected(key, this.#c.clock.now())
    })
  }

  /** The peer of connection `id` relayed `count` addresses our book did not have. */
  novelAddresses (id: number, count: number): void {
    const conn = this.#c.registry.get(id)
    if (conn === undefined || count <= 0) return
    this.#lastNovelAddrMs.set(id, this.#c.clock.now())
    this.#usefulness?.bump(peerKeyOf(conn.addr, conn.direction), count * NOVEL_ADDR_CREDIT)
  }

  /** A connection's value: its peer's tags, less the transient part of its ban score. */
  valueOf (conn: ConnectionInfo<Peer>, nowMs = this.#c.clock.now()): number {
    return this.tags.value(peerKeyOf(conn.addr, conn.direction), nowMs) - conn.session.banScore.transientPart()
  }

  /** Protected under any tag (the operator's, the embedder's, or the node's own). */
  isProtected (conn: ConnectionInfo<Peer>): boolean {
    return this.tags.isProtected(peerKeyOf(conn.addr, conn.direction))
  }

  /**
   * The listener's slot check: true while inbound has room; when full, evicts one inbound peer to make
   * room (true), or finds nobody evictable (false: the newcomer is refused).
   */
  admitInbound (newcomer: NetAddress): boolean {
    const { registry } = this.#c
    if (registry.countDirection('inbound').total < this.#maxInbound) return true
    if (this.#maxInbound === 0) return false
    const now = this.#c.clock.now()
    const byId = new Map<number, ConnectionInfo<Peer>>()
    const candidates: EvictionCandidate[] = []
    for (const conn of registry.all()) {
      if (conn.direction !== 'inbound') continue
      byId.set(conn.id, conn)
      candidates.push(this.#candidate(conn, now))
    }
    const decision = selectNodeToEvict(candidates)
    const victim = decision.victim === undefined ? undefined : byId.get(decision.victim.id)
    if (victim === undefined) return false
    this.#c.events.emit('peer_evicted', {
      addr: victim.key, id: victim.id, direction: 'inbound', reason: 'inbound_full', newcomer: `${newcomer.host}:${newcomer.port}`,
      group: victim.group, groupSize: decision.groupSize, eligible: decision.eligible, protectedBy: decision.protectedBy,
      value: decision.victim?.value ?? 0, ageMs: now - victim.connectedAtMs
    })
    victim.session.close('evicted: inbound full')
    return true
  }

  /** One trim pass (the silence-period timer's): above the high water mark, then under overload. */
  trim (): void {
    const now = this.#c.clock.now()
    const conns = this.#c.registry.all()
    const byId = new Map(conns.map((c) => [c.id, c]))
    const candidates: TrimCandidate[] = conns.map((c) => ({
      id: c.id, connectedAtMs: c.connectedAtMs, value: this.valueOf(c, now), protected: this.isProtected(c), inbound: c.direction === 'inbound'
    }))
    const s = this.settings
    let victims: TrimCandidate[] = []
    let reason: 'high_water' | 'overload' = 'high_water'
    let delayMs = 0
    if (needsTrim(conns.length, s)) {
      victims = selectTrimVictims(candidates, s, now)
    } else if (this.#delay !== undefined || this.#c.eventLoopDelayMs !== undefined) {
      delayMs = this.#c.eventLoopDelayMs?.() ?? this.#delay?.sample() ?? 0
      if (s.maxEventLoopDelayMs > 0 && delayMs > s.maxEventLoopDelayMs) {
        reason = 'overload'
        victims = selectOverloadVictims(candidates, s.gracePeriodMs, now)
      }
    }
    for (const v of victims) {
      const conn = byId.get(v.id)
      if (conn === undefined) continue
      this.#c.events.emit('peer_trimmed', {
        addr: conn.key, id: conn.id, direction: conn.direction, reason, value: v.value, ageMs: now - conn.connectedAtMs, connections: conns.length, eventLoopDelayMs: delayMs
      })
      conn.session.close(reason === 'overload' ? 'trimmed: node overloaded' : 'trimmed: above the high water mark')
    }
  }

  #candidate (conn: ConnectionInfo<Peer>, now: number): EvictionCandidate {
    const peer = conn.session
    return {
      id: conn.id,
      connectedAtMs: conn.connectedAtMs,
      minPingMs: peer.minLatencyMs,
      keyedNetGroup: this.#keyed(conn.group),
      lastNovelAddrMs: this.#lastNovelAddrMs.get(conn.id) ?? 0,
      value: this.valueOf(conn, now),
      network: conn.addr.network,
      isLocal: isLocalhost(conn.addr.host),
      preferEvict: false,
      exempt: peer.whitelisted || this.isProtected(conn)
    }
  }

  #keyed (group: string): number {
    let k = this.#groups.get(group)
    if (k === undefined) {
      if (this.#groups.size >= MAX_CACHED_GROUPS) this.#groups.clear()
      this.#groups.set(group, k = keyedNetGroup(group, this.#key))
    }
    return k
  }

  /** Every interval: each established connection earns uptime credit, and more for a low ping. */
  #creditUptime (): void {
    for (const conn of this.#c.registry.all()) {
      if (conn.handshake === undefined) continue
      const minPing = conn.session.minLatencyMs
      const credit = UPTIME_CREDIT + (minPing !== undefined && minPing < LOW_PING_MS ? LOW_PING_CREDIT : 0)
      this.#usefulness?.bump(peerKeyOf(conn.addr, conn.direction), credit)
    }
  }

  #delaySampler (): { sample: () => number, stop: () => void } {
    const h = monitorEventLoopDelay({ resolution: 10 })
    h.enable()
    return {
      sample: () => { const p99 = h.percentile(99) / 1e6; h.reset(); return p99 },
      stop: () => { h.disable() }
    }
  }
}

/** Core's IsLocal: 127.0.0.0/8 and ::1. */
export function isLocalhost (host: string): boolean {
  return (networkOf(host) === 'ipv4' && host.startsWith('127.')) || host === '::1'
}
