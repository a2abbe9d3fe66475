import { isIPv4 } from 'node:net'
import { toNetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import { AdmissionInputError } from './errors.ts'
import type { LimitRejectReason } from './reasons.ts'

/**
 * Inbound admission counters after go-connlimit (connections per client IP) and js-libp2p (pending cap,
 * per-IP connection rate), plus a per-netgroup count. Pure accounting, no sockets: the gater asks check()
 * before any slot is taken, admit() records a connection it let in, and the ticket follows the connection
 * through its handshake to its close. Every call is a few hash lookups.
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

/** One admitted connection's share of the counters. */
export interface InboundTicket {
  /** The canonical IP it is counted under (IPv4-mapped IPv6 as IPv4). */
  readonly ip: string
  readonly group: string
  /** The version handshake finished: the connection stops counting as pending. Later calls do nothing. */
  established (): void
  /** The connection closed: every count it held is returned. Idempotent. */
  release (): void
}

export interface InboundAdmissionComponents {
  clock: Clock
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
  readonly #maxRateEntries: number
  #limits: InboundLimits
  readonly #perIp = new Map<string, number>()
  readonly #perGroup = new Map<string, number>()
  readonly #rate = new Map<string, RateWindow>()
  /**
   * Windows in the order they opened, for expiry from the front; an entry the map no longer holds is stale
   * and skipped. (Iterating the Map itself from the front would walk V8's deleted slots on every call.)
   */
  #queue: RateWindow[] = []
  #queueHead = 0
  #pending = 0

  constructor (components: InboundAdmissionComponents, init: InboundAdmissionInit = {}) {
    this.#clock = components.clock
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
    if ((this.#perIp.get(key) ?? 0) >= limits.maxInboundPerIp) return PER_IP
    if (this.#windowCount(key, this.#clock.now()) >= limits.inboundRatePerSecond) return RATE
    if ((this.#perGroup.get(group) ?? 0) >= limits.maxInboundPerGroup) return PER_GROUP
    if (this.#pending >= limits.maxPendingInbound) return PENDING
    return ALLOW
  }

  /**
   * Counts a connection the gater let in, as pending, and charges the IP's rate window. It does not check:
   * the counts describe what is open, whoever decided (a nolimit peer counts too, so the pending total may
   * pass its cap; check() compares with >=, so the cap holds for everyone else).
   */
  admit (ip: string, group: string): InboundTicket {
    const key = canonicalIp(ip)
    increment(this.#perIp, key)
    increment(this.#perGroup, group)
    this.#pending++
    this.#charge(key, this.#clock.now())
    let state: 'pending' | 'established' | 'released' = 'pending'
    return {
      ip: key,
      group,
      established: () => {
        if (state !== 'pending') return
        state = 'established'
        this.#pending--
      },
      release: () => {
        if (state === 'released') return
        if (state === 'pending') this.#pending--
        state = 'released'
        decrement(this.#perIp, key)
        decrement(this.#perGroup, group)
      }
    }
  }

  /** Admitted connections still before their handshake. */
  get pending (): number {
    return this.#pending
  }

  /** Open admitted connections (pending or established) from `ip`, in any of its textual forms. */
  countForIp (ip: string): number {
    return this.#perIp.get(canonicalIp(ip)) ?? 0
  }

  countForGroup (group: string): number {
    return this.#perGroup.get(group) ?? 0
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

function increment (counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

function decrement (counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1
  if (n > 0) counts.set(key, n)
  else counts.delete(key) // absent means zero, so a map holds only IPs/groups with open connections
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
