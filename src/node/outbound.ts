import type { AddrBook } from '../addrbook/addr-book.ts'
import { countsFailures, selectOutbound } from '../addrbook/select-outbound.ts'
import type { BanList } from '../banlist/ban-list.ts'
import type { ConnReq } from '../connmgr/conn-req.ts'
import type { Logger } from '../log/logger.ts'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import type { Peer } from '../peer/peer.ts'
import type { Dialer } from '../transport/dialer.ts'
import type { Clock } from '../util/clock.ts'
import type { Sessions } from './sessions.ts'
import { NamedError } from '../util/errors.ts'

/** What the connection manager holds per outbound connection: a handshaken session. */
export interface OutboundConnection {
  readonly peer: Peer
  close(): void
}

/** No address qualifies: the connection manager asks again shortly; the node may seed meanwhile. */
export class NoAddressError extends NamedError {}

/** A dial to a banned address was refused before any packet was sent. */
export class BannedAddressError extends NamedError {}

export interface OutboundComponents {
  clock: Clock
  logger: Logger
  dialer: Dialer
  sessions: Sessions
  book: AddrBook
  banList: BanList
  /** The connection manager's live requests: addresses and groups in use, dials in flight included. */
  requests(): readonly ConnReq[]
}

export interface OutboundInit {
  defaultPort: number
  targetOutbound: number
  /** Keys of the permanent peers' addresses: never automatic, never refused as banned. */
  isPermanent(addr: NetAddress): boolean
  /** Anchors saved at the last clean shutdown, dialed before anything from the book. */
  anchors: readonly NetAddress[]
  /** Called when the book has nothing to offer (the node reseeds). */
  onDry(): void
}

/**
 * The outbound half of the node: the connection manager's dial (TCP or proxy, then the version handshake,
 * so "connected" means handshaken) and its getNewAddress (anchors first, then the address book with
 * btcd's/Core's tiers, skipping banned addresses and the addresses and groups already in use).
 */
export class Outbound {
  readonly #c: OutboundComponents
  readonly #init: OutboundInit
  readonly #anchors: NetAddress[]

  constructor (components: OutboundComponents, init: OutboundInit) {
    this.#c = components
    this.#init = init
    this.#anchors = [...init.anchors]
  }

  readonly dial = async (addr: NetAddress, options: { signal: AbortSignal }): Promise<OutboundConnection> => {
    const permanent = this.#init.isPermanent(addr)
    if (!permanent && this.#c.banList.isBanned(addr.host)) throw new BannedAddressError(`${addrKey(addr)} is banned`)
    const socket = await this.#c.dialer.dial(addr, options)
    const { peer } = this.#c.sessions.open(socket, addr, 'outbound', permanent)
    const onAbort = (): void => { peer.close('dial canceled') }
    options.signal.addEventListener('abort', onAbort, { once: true })
    try {
      if (options.signal.aborted) onAbort()
      await peer.handshake()
    } finally {
      options.signal.removeEventListener('abort', onAbort)
    }
    return { peer, close: () => { peer.close('closed by the connection manager') } }
  }

  readonly getNewAddress = (): NetAddress => {
    const { keys, groups } = this.#inUse()
    const countFailure = countsFailures(this.#establishedGroups(), this.#init.targetOutbound)
    while (this.#anchors.length > 0) {
      const anchor = this.#anchors.shift() as NetAddress
      if (keys.has(addrKey(anchor)) || groups.has(this.#c.book.groupKey(anchor)) || this.#c.banList.isBanned(anchor.host)) continue
      this.#c.book.attempt(anchor, countFailure)
      this.#c.logger.event('anchor_dial', { addr: addrKey(anchor) }, `dialing anchor ${addrKey(anchor)} (connected at the last shutdown)`)
      return anchor
    }
    const addr = selectOutbound(this.#c.book, {
      nowMs: this.#c.clock.now(),
      defaultPort: this.#init.defaultPort,
      inUseKeys: keys,
      inUseGroups: groups,
      isBanned: (a) => this.#c.banList.isBanned(a.host),
      countFailure
    })
    if (addr !== undefined) return addr
    this.#init.onDry()
    const size = this.#c.book.size()
    throw new NoAddressError(`no usable address among ${size.new + size.tried} in the address book`)
  }

  /** Addresses in use (every request) and groups in use (automatic and permanent outbound alike, as btcd). */
  #inUse (): { keys: Set<string>, groups: Set<string> } {
    const keys = new Set<string>()
    const groups = new Set<string>()
    for (const req of this.#c.requests()) {
      if (req.addr === undefined) continue
      keys.add(addrKey(req.addr))
      groups.add(this.#c.book.groupKey(req.addr))
    }
    return { keys, groups }
  }

  /** Distinct groups of handshaken outbound peers: the offline guard's evidence that we are online. */
  #establishedGroups (): number {
    return new Set(this.#c.sessions.established('outbound').map((s) => this.#c.book.groupKey(s.peer.addr))).size
  }
}
