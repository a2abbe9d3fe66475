import type { AddrBook } from '../addrbook/addr-book.ts'
import { countsFailures, selectOutbound } from '../addrbook/select-outbound.ts'
import type { BanList } from '../banlist/ban-list.ts'
import type { ConnReq } from '../connmgr/conn-req.ts'
import type { DialCallOptions } from '../connmgr/types.ts'
import type { ConnectionGater } from '../gater/gater.ts'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import { PeerRefusedError } from '../peer/errors.ts'
import type { Peer } from '../peer/peer.ts'
import { loadV2Transport, outboundTransport, type TransportProtocol } from '../peer/transport.ts'
import type { ConnectionKind } from '../registry/types.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { Dialer } from '../transport/dialer.ts'
import type { Clock } from '../util/clock.ts'
import type { EventSink } from '../util/event-bus.ts'
import { NODE_P2P_V2 } from '../wire/services.ts'
import { DialDeniedError, NoAddressError } from './errors.ts'
import type { NodeEventMap } from './events.ts'
import type { Sessions } from './sessions.ts'
import { pickDefined } from '../util/defined.ts'

/** What the connection manager holds per outbound connection: a handshaken session. */
export interface OutboundConnection {
  readonly peer: Peer
  close(reason?: string): void
  readonly closeSignal: AbortSignal
  departed(): boolean
}

export interface OutboundComponents {
  clock: Clock
  events: EventSink<NodeEventMap>
  dialer: Dialer
  gater: ConnectionGater
  sessions: Sessions
  registry: ConnectionRegistry<Peer>
  book: AddrBook
  banList: BanList
  /** The connection manager's live requests: addresses and groups in use, dials in flight included. */
  requests(): readonly ConnReq[]
}

export interface OutboundInit {
  /** The kind of this side's automatic connections (a node runs one Outbound per kind). @default 'outbound-full-relay' */
  kind?: 'outbound-full-relay' | 'block-relay-only'
  defaultPort: number
  targetOutbound: number
  /** Keys of the permanent peers' addresses: never automatic, never refused as banned. */
  isPermanent(addr: NetAddress): boolean
  /** Anchors saved at the last clean shutdown, dialed before anything from the book. */
  anchors: readonly NetAddress[]
  /** Called when the book has nothing to offer (the node reseeds). @default nothing */
  onDry?(): void
  /**
   * Whether this side may take an address from the book now (anchors are dialed regardless): Core fills
   * the full-relay slots before the block-relay-only ones. @default always
   */
  mayFill?(): boolean
  /** Whether automatic connections may go to this address (--onlynet, never our own). @default any */
  mayDial?(addr: NetAddress): boolean
  /** @default RECENT_TRY_MS (select-outbound.ts) */
  recentTryMs?: number
}

/**
 * The outbound half of the node: the connection manager's dial (the gater, then TCP or proxy, then the
 * version handshake, so "connected" means handshaken; the book hears of the success and of the close;
 * a v2 attempt that a v1-only node closes is redialed once with v1 inside the same dial)
 * and its getNewAddress (anchors first, then the address book with btcd's/Core's tiers, skipping banned
 * addresses and the addresses and groups already in use).
 */
export class Outbound {
  readonly #c: OutboundComponents
  readonly #init: OutboundInit
  readonly #anchors: NetAddress[]
  /** Anchors not connected yet: one that does not answer keeps a claim on its slot (claimOnFailure). */
  readonly #anchorKeys: Set<string>
  /** Fallen back to v1 but not in the book (permanent peers): remembered for this run only. */
  readonly #v1OnlyUnbooked = new Set<string>()

  constructor (components: OutboundComponents, init: OutboundInit) {
    this.#c = components
    this.#init = init
    this.#anchors = [...init.anchors]
    this.#anchorKeys = new Set(init.anchors.map(addrKey))
  }

  /**
   * The connection manager's claimOnFailure: an anchor held a slot when we last stopped, so when it does not
   * answer now (it may be restarting too) it is redialed for the return window while a stand-in takes the
   * slot, as a peer that left would be (src/connmgr/returns.ts). Once per anchor.
   */
  readonly claimOnFailure = (addr: NetAddress): boolean => this.#anchorKeys.delete(addrKey(addr))

  readonly dial = async (addr: NetAddress, options: DialCallOptions): Promise<OutboundConnection> => {
    const kind = this.#init.isPermanent(addr) ? 'manual' : this.#init.kind ?? 'outbound-full-relay'
    const decision = this.#c.gater.interceptAddrDial(addr, kind)
    if (!decision.allow) throw new DialDeniedError(addrKey(addr), decision.reason)
    const book = this.#c.book
    const known = book.get(addr)
    const v1Only = known?.v1Only === true || this.#v1OnlyUnbooked.has(addrKey(addr))
    const transport = outboundTransport({ v2Enabled: this.#c.sessions.v2Transport, manual: kind === 'manual', services: known?.services, v1Only })
    let peer: Peer
    try {
      peer = await this.#connect(addr, kind, transport, options)
    } catch (err) {
      if (!(err instanceof FallBackToV1)) throw err
      // BIP324: a v1-only node closes on our key. Retry once with v1 (a second TCP connect, the same
      // attempt for the connection manager) and remember it, so the next dial, even after a restart, is v1.
      this.#c.events.emit('transport_fallback', { addr: addrKey(addr), id: err.id })
      peer = await this.#connect(addr, kind, 'v1', options)
      if (!book.setV1Only(addr, true)) this.#v1OnlyUnbooked.add(addrKey(addr))
    }
    // A node remembered as v1-only that advertises v2 again (upgraded) gets a v2 attempt next time.
    if (transport === 'v1' && known?.v1Only === true && (peer.info?.services ?? 0n) & NODE_P2P_V2) book.setV1Only(addr, false)
    book.good(addr)
    this.#anchorKeys.delete(addrKey(addr))
    const closed = new AbortController()
    const onClose = (): void => {
      // Core never refreshes a block-relay-only peer's time: what we gossip must not reveal those peers.
      if (kind !== 'block-relay-only') book.connected(addr)
      closed.abort()
    }
    if (peer.state === 'closed') onClose()
    else peer.once('close', onClose)
    return { peer, close: (reason) => { peer.close(reason ?? 'closed by the connection manager') }, closeSignal: closed.signal, departed: () => peer.departed }
  }

  /** One TCP connection and handshake; throws FallBackToV1 when a v2 attempt met a v1-only node. */
  async #connect (addr: NetAddress, kind: ConnectionKind, transport: TransportProtocol, options: DialCallOptions): Promise<Peer> {
    // BIP324's code (loaded once, at the first v2 dial) loads while the TCP connection is being made.
    const loading = transport === 'v2' ? loadV2Transport() : undefined
    loading?.catch(() => { /* awaited below, once the socket is up */ })
    const socket = await this.#c.dialer.dial(addr, { signal: options.signal })
    options.onConnected?.()
    await loading?.catch((err: unknown) => { socket.destroy(); throw err })
    const { session: peer } = this.#c.sessions.open(socket, addr, kind, transport)
    const onAbort = (): void => { peer.close('dial canceled') }
    options.signal.addEventListener('abort', onAbort, { once: true })
    try {
      if (options.signal.aborted) onAbort()
      await peer.handshake()
      return peer
    } catch (err) {
      // A peer of another network would refuse us again: the book holds it back for a day.
      if (err instanceof PeerRefusedError && err.reason === 'bad-magic') this.#c.book.refused(addr, err.reason)
      if (peer.shouldReconnectV1 && !options.signal.aborted) throw new FallBackToV1(peer.id)
      throw err
    } finally {
      options.signal.removeEventListener('abort', onAbort)
    }
  }

  readonly getNewAddress = (): NetAddress => {
    const { keys, groups } = this.#inUse()
    const countFailure = countsFailures(this.#c.registry.outboundGroupCount(), this.#init.targetOutbound)
    this.#c.book.resolveCollisions() // Core settles test-before-evict before each pick
    while (this.#anchors.length > 0) {
      const anchor = this.#anchors.shift() as NetAddress
      if (keys.has(addrKey(anchor)) || groups.has(this.#c.book.groupKey(anchor)) || this.#c.banList.isBanned(anchor.host)) continue
      this.#c.book.attempt(anchor, countFailure)
      this.#c.events.emit('anchor_dial', { addr: addrKey(anchor) })
      return anchor
    }
    if (this.#init.mayFill?.() === false) throw new NoAddressError('waiting for the full-relay slots to fill first')
    const addr = selectOutbound(this.#c.book, {
      nowMs: this.#c.clock.now(),
      defaultPort: this.#init.defaultPort,
      inUseKeys: keys,
      inUseGroups: groups,
      isBanned: (a) => this.#c.banList.isBanned(a.host),
      countFailure,
      ...pickDefined(this.#init, 'mayDial', 'recentTryMs')
    })
    if (addr !== undefined) return addr
    this.#init.onDry?.()
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
}

/** Internal: the v2 attempt was closed unanswered; dial() catches it and redials with v1. */
class FallBackToV1 extends Error {
  readonly id: number
  constructor (id: number) {
    super('v2 attempt closed without a reply')
    this.id = id
  }
}
