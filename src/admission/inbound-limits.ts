import { isIPv4 } from 'node:net'
import { toNetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import { AdmissionInputError } from './errors.ts'
import type { LimitRejectReason } from './reasons.ts'

/**
 * Inbound admission limits after go-connlimit (connections per client IP) and js-libp2p (pending cap,
 * per-IP connection rate), plus a per-netgroup limit. Pure decisions, no sockets. What is open is counted
 * by the connection registry, the node's one count of live connections (issue #10): check() asks it, and
 * keeps only what the registry cannot know, the per-IP rate windows. Every call is a few hash lookups.
 */

export interface InboundLimits {
  /** Inbound connections from one IP at once, pending and established together. */
  readonly maxInboundPerIp: number
  /** Inbound connections from one netgroup (the address book's groupKey) at once, pending and established. */
  readonly maxInboundPerGroup: number
  /** Connections admitted from one IP within one rate window (RATE_WINDOW_MS). */
  readonly inboundRatePerSecond: number
  /** Inbound connections, node-wide, that have not finished the version handshake. */
  readonly maxPendingInbound: number
}

/** A home NAT rarely hides more than a couple of nodes; one more lets a peer reconnect before its old socket times out. */
export const DEFAULT_MAX_INBOUND_PER_IP = 3
/** 117 inbound slots / 10 = an attacker needs 12 netgroups (/16s) to fill them; a big host's /16 still fits 10 nodes. */
export const DEFAULT_MAX_INBOUND_PER_GROUP = 10
/** Equal to the per-IP limit: every node behind one IP can reconnect in the same second after our restart. */
export const DEFAULT_INBOUND_RATE_PER_SECOND = 3
/** Honest handshakes take about a round trip, so a few are pending at once; silent sockets (held 20 s) can take at most 32 of 117 slots. */
export const DEFAULT_MAX_PENDING_INBOUND = 32
/** The rate window: starts at the first connection admitted from an IP, lasts this long (js-libp2p's fixed window). */
export const RATE_WINDOW_MS = 1_000
/** Rate windows kept at once: 5x the 2,000 IPs/s of the flood benchmark, about 1 MB; beyond it the oldest window goes. */
export const DEFAULT_MAX_RATE_ENTRIES = 10_000

export const DEFAULT_INBOUND_LIMITS: InboundLimits = Object.freeze({
  maxInboundPerIp: DEFAULT_MAX_INBOUND_PER_IP,
  maxInboundPerGroup: DEFAULT_MAX_INBOUND_PER_GROUP,
  inboundRatePerSecond: DEFAULT_INBOUND_RATE_PER_SECOND,
  maxPendingInbound: DEFAULT_MAX_PENDING_INBOUND
})

export type AdmissionDecision = { readonly allow: true } | { readonly allow: false, readonly reason: LimitRejectReason }

/**
 * The open inbound connections, as the connection registry counts them (pending and established, keyed
 * by canonical host and netgroup). A connection is counted from the moment it is admitted.
 */
export interface InboundCounts {
  inboundFromHost(host: string): number
  inboundFromGroup(group: string): number
  /** Inbound connections, node-wide, before the end of their version handshake. */
  pendingInbound(): number
}

export interface InboundAdmissionComponents {
  clock: Clock
  counts: InboundCounts
}

export interface InboundAdmissionInit extends Partial<InboundLimits> {
  /** Cap on per-IP rate windows held at once (memory bound under a many-IP flood). */
  maxRateEntries?: number
}

interface RateWindow {
  readonly ip: string
  readonly startMs: number
  count: number
}

const ALLOW: AdmissionDecision = Object.freeze({ allow: true })
const refusal = (reason: LimitRejectReason): AdmissionDecision => Object.freeze({ allow: false, reason })
const PER_IP = refusal('per_ip_limit')
const RATE = refusal('rate')
const PER_GROUP = refusal('per_group_limit')
const PENDING = refusal('pending_limit')

export class InboundAdmission {
  readonly #clock: Clock
  readonly #counts: InboundCounts
  readonly #maxRateEntries: number
  #limits: InboundLimits
  readonly #rate = new Map<string, RateWindow>()
  /**
   * Windows in the order they opened, for expiry from the front; an entry the map no longer holds is stale
   * and skipped. (Iterating the Map itself from the front would walk V8's deleted slots on every call.)
   */
  #queue: RateWindow[] = []
  #queueHead = 0

  constructor (components: InboundAdmissionComponents, init: InboundAdmissionInit = {}) {
    this.#clock = components.clock
    this.#counts = components.counts
    const { maxRateEntries = DEFAULT_MAX_RATE_ENTRIES, ...limits } = init
    if (!Number.isSafeInteger(maxRateEntries) || maxRateEntries < 1) {
      throw new AdmissionInputError(`maxRateEntries must be a whole number >= 1, got ${maxRateEntries}`)
    }
    this.#maxRateEntries = maxRateEntries
    this.#limits = validLimits({ ...DEFAULT_INBOUND_LIMITS, ...definedOnly(limits) })
  }

  get limits (): InboundLimits {
    return this.#limits
  }

  /**
   * Replaces some limits. Like go-connlimit's SetConfig, only later check() calls see them: nothing already
   * admitted is closed or recounted, so a count may stay above a lowered limit until connections close.
   */
  setLimits (limits: Partial<InboundLimits>): void {
    this.#limits = validLimits({ ...this.#limits, ...definedOnly(limits) })
  }

  /**
   * Whether one more inbound connection from `ip` (in netgroup `group`) fits. Reasons in precedence order:
   * per_ip_limit, rate, per_group_limit, pending_limit (the sender's own excess first, the node-wide cap
   * last). `exempt` (the nolimit permission) skips every limit. Changes nothing.
   */
  check (ip: string, group: string, exempt = false): AdmissionDecision {
    if (exempt) return ALLOW
    const key = canonicalIp(ip)
    const limits = this.#limits
    const counts = this.#counts
    if (counts.inboundFromHost(key) >= limits.maxInboundPerIp) return PER_IP
    if (this.#windowCount(key, this.#clock.now()) >= limits.inboundRatePerSecond) return RATE
    if (counts.inboundFromGroup(group) >= limits.maxInboundPerGroup) return PER_GROUP
    if (counts.pendingInbound() >= limits.maxPendingInbound) return PENDING
    return ALLOW
  }

  /**
   * Charges `ip`'s rate window for a connection the gater let in (whoever decided: a nolimit peer is
   * charged too). Only admitted connections are charged, so a refused flood does not keep its window open.
   */
  admit (ip: string): void {
    this.#charge(canonicalIp(ip), this.#clock.now())
  }

  /** Rate windows held in memory (bounded by maxRateEntries). */
  get rateEntries (): number {
    return this.#rate.size
  }

  #windowCount (key: string, nowMs: number): number {
    const window = this.#rate.get(key)
    return window !== undefined && nowMs - window.startMs < RATE_WINDOW_MS ? window.count : 0
  }

  #charge (ip: string, nowMs: number): void {
    this.#dropFront(nowMs, false)
    const window = this.#rate.get(ip)
    if (window !== undefined && nowMs - window.startMs < RATE_WINDOW_MS) {
      window.count++
      return
    }
    // Full of live windows: drop the oldest, the one closest to expiring anyway (that IP may get in early).
    if (window === undefined && this.#rate.size >= this.#maxRateEntries) this.#dropFront(nowMs, true)
    const fresh = { ip, startMs: nowMs, count: 1 }
    this.#rate.set(ip, fresh)
    this.#queue.push(fresh)
  }

  /** Drops expired windows from the front; with `oneLive`, then also the oldest live one. */
  #dropFront (nowMs: number, oneLive: boolean): void {
    const queue = this.#queue
    while (this.#queueHead < queue.length) {
      const window = queue[this.#queueHead] as RateWindow
      if (this.#rate.get(window.ip) === window) {
        if (nowMs - window.startMs < RATE_WINDOW_MS && !oneLive) break
        this.#rate.delete(window.ip)
        oneLive = false
      }
      this.#queueHead++
    }
    if (this.#queueHead > 1024 && this.#queueHead * 2 > queue.length) { // amortised O(1) compaction
      this.#queue = queue.slice(this.#queueHead)
      this.#queueHead = 0
    }
  }
}

const IPV4_MAPPED_PREFIX = '::ffff:'

/** The one key of an IP: IPv4-mapped IPv6 as dotted IPv4, IPv6 compressed (RFC 5952), onion/i2p lower case. */
function canonicalIp (ip: string): string {
  // Fast path: a dual-stack listener reports every IPv4 client as ::ffff:a.b.c.d.
  if (ip.startsWith(IPV4_MAPPED_PREFIX) && isIPv4(ip.slice(IPV4_MAPPED_PREFIX.length))) return ip.slice(IPV4_MAPPED_PREFIX.length)
  return toNetAddress(ip, 0)?.host ?? ip.toLowerCase()
}

function definedOnly (limits: Partial<InboundLimits>): Partial<InboundLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined))
}

/** Each limit is a whole number >= 0 (0 admits nobody but nolimit peers) or Infinity (no limit). */
function validLimits (limits: InboundLimits): InboundLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!(value === Infinity || (Number.isSafeInteger(value) && value >= 0))) {
      throw new AdmissionInputError(`${name} must be a whole number >= 0 or Infinity, got ${String(value)}`)
    }
  }
  return Object.freeze({
    maxInboundPerIp: limits.maxInboundPerIp,
    maxInboundPerGroup: limits.maxInboundPerGroup,
    inboundRatePerSecond: limits.inboundRatePerSecond,
    maxPendingInbound: limits.maxPendingInbound
  })
}
