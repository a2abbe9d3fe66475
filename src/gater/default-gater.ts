import { AccessLists, type AccessListsConfig } from '../admission/access-lists.ts'
import { InboundAdmission, type InboundCounts, type InboundLimits } from '../admission/inbound-limits.ts'
import type { Permissions } from '../admission/permissions.ts'
import type { BanList } from '../banlist/ban-list.ts'
import type { Network, NetAddress } from '../netaddr/netaddress.ts'
import type { ConnectionCounts, ConnectionKind } from '../registry/types.ts'
import type { Clock } from '../util/clock.ts'
import { ALLOW, deny, type ConnectionGater, type GateDecision } from './gater.ts'
import { isReachableNetwork } from './onlynet.ts'

/** What the gater reads of the connection registry: the inbound counts (issue #10: counting is the registry's). */
export interface GaterCounts extends InboundCounts {
  count(kind: ConnectionKind): ConnectionCounts
}

export interface DefaultGaterComponents {
  clock: Clock
  banList: BanList
  registry: GaterCounts
  /** The address book's network group of an address (/16, /32, per overlay network). */
  groupOf(addr: NetAddress): string
  /**
   * Inbound is full: may a connection be closed to make room for `remote` (peer value's eviction)?
   * True once a victim was closed. @default never
   */
  evict?(remote: NetAddress): boolean
}

export interface DefaultGaterInit {
  lists?: AccessListsConfig
  limits?: Partial<InboundLimits>
  /** Inbound slots; a peer with `nolimit` is admitted beyond them. @default Infinity */
  maxInbound?: number
  /** --onlynet: automatic dials (full-relay, block-relay-only, feeler) go only to these networks; empty = all. */
  onlyNets?: readonly Network[]
}

/** What reconfigure() replaces; absent parts stay. */
export interface AdmissionSettings {
  readonly lists?: AccessListsConfig
  readonly limits?: Partial<InboundLimits>
}

const DENIED = deny('denied')
const BANNED = deny('banned')
const SLOTS_FULL = deny('slots_full')
const UNREACHABLE = deny('unreachable network')
/** The kinds --onlynet restricts: Core limits automatic outbound only, never a manual peer. */
const AUTOMATIC_KINDS: ReadonlySet<ConnectionKind> = new Set(['outbound-full-relay', 'block-relay-only', 'feeler'])

/**
 * The node's gater when an embedder brings none: inbound admission (docs/admission.md) and the ban list.
 * Deny-listed addresses are neither dialed nor accepted; banned ones neither, unless `noban`; permanent
 * peers are dialed even when banned, as btcd and Core do for manual connections; with --onlynet, automatic
 * dials to other networks are refused. An accepted socket then
 * passes the per-IP, rate, per-group and pending limits and the slot count, unless `nolimit`. Every check
 * is a hash lookup or a longest-prefix match, before any slot or session memory is taken.
 */
export class DefaultGater implements ConnectionGater {
  readonly #c: DefaultGaterComponents
  readonly #admission: InboundAdmission
  readonly #maxInbound: number
  readonly #onlyNets: ReadonlySet<Network>
  #lists: AccessLists

  constructor (components: DefaultGaterComponents, init: DefaultGaterInit = {}) {
    this.#c = components
    this.#admission = new InboundAdmission({ clock: components.clock, counts: components.registry }, init.limits ?? {})
    this.#lists = new AccessLists(init.lists)
    this.#maxInbound = init.maxInbound ?? Infinity
    this.#onlyNets = new Set(init.onlyNets ?? [])
  }

  get limits (): InboundLimits {
    return this.#admission.limits
  }

  /**
   * Applies new limits and lists (go-connlimit's SetConfig): later sockets see them, open connections are
   * not recounted or closed here (the node closes what a new deny entry covers). Throws on a bad limit,
   * before anything changed.
   */
  reconfigure (settings: AdmissionSettings): void {
    const lists = settings.lists === undefined ? this.#lists : new AccessLists(settings.lists)
    if (settings.limits !== undefined) this.#admission.setLimits(settings.limits)
    this.#lists = lists
  }

  /** The permissions --whitelist grants `host` (none if it is denied). */
  permissions (host: string): Permissions {
    return this.#lists.permissions(host)
  }

  denied (host: string): boolean {
    return this.#lists.denied(host) !== undefined
  }

  /** Whether an inbound slot is free for `remote`; a nolimit peer always has one. */
  hasSlot (remote: NetAddress): boolean {
    return this.#c.registry.count('inbound').total < this.#maxInbound || this.#lists.permissions(remote.host).nolimit
  }

  interceptAddrDial (addr: NetAddress, kind: ConnectionKind): GateDecision {
    if (this.#lists.denied(addr.host) !== undefined) return DENIED
    if (kind === 'manual') return ALLOW
    if (AUTOMATIC_KINDS.has(kind) && !isReachableNetwork(this.#onlyNets, addr.network)) return UNREACHABLE
    return this.#c.banList.isBanned(addr.host) && !this.#lists.permissions(addr.host).noban ? BANNED : ALLOW
  }

  /** In the order of docs/admission.md: denied, banned, per_ip_limit, rate, per_group_limit, pending_limit, slots_full. */
  interceptAccept (remote: NetAddress): GateDecision {
    const host = remote.host
    if (this.#lists.denied(host) !== undefined) return DENIED
    const permissions = this.#lists.permissions(host)
    if (!permissions.noban && this.#c.banList.isBanned(host)) return BANNED
    if (!permissions.nolimit) {
      const decision = this.#admission.check(host, this.#c.groupOf(remote))
      if (!decision.allow) return decision
      if (this.#c.registry.count('inbound').total >= this.#maxInbound && this.#c.evict?.(remote) !== true) return SLOTS_FULL
    }
    this.#admission.admit(host)
    return ALLOW
  }

  interceptHandshake (): GateDecision {
    return ALLOW
  }
}
