import type { Socket } from 'node:net'
import type { AddrBook } from '../addrbook/addr-book.ts'
import type { BanList } from '../banlist/ban-list.ts'
import type { ChainParams } from '../chainparams/chainparams.ts'
import type { ConnectionGater } from '../gater/gater.ts'
import type { Permissions } from '../admission/permissions.ts'
import type { Logger } from '../log/logger.ts'
import { addrKey, type NetAddress, type TimedAddress } from '../netaddr/netaddress.ts'
import type { PeerEventMap } from '../peer/events.ts'
import { NonceRegistry } from '../peer/nonces.ts'
import { Peer } from '../peer/peer.ts'
import type { TrafficSink } from '../peer/traffic.ts'
import type { TransportMode } from '../peer/transport.ts'
import type { PeerInit, PeerTimeouts } from '../peer/types.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import { relaysAddresses, type ConnectionInfo, type ConnectionKind } from '../registry/types.ts'
import type { Clock } from '../util/clock.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { Random } from '../util/random.ts'
import type { Startable } from '../util/startable.ts'
import { NODE_P2P_V2 } from '../wire/services.ts'
import type { NodeEventMap } from './events.ts'

/** btcd's NeedMoreAddresses: ask an outbound peer for addresses while the book holds fewer than this. */
export const WANT_ADDRESSES_BELOW = 1000

export interface SessionsComponents {
  clock: Clock
  random: Random
  /** The PEER subsystem logger. */
  peerLogger: Logger
  events: EventSink<PeerEventMap & NodeEventMap>
  registry: ConnectionRegistry<Peer>
  gater: ConnectionGater
  /** What --whitelist grants a host (noban, addr; nolimit is the gater's). */
  permissions(host: string): Permissions
  book: AddrBook
  banList: BanList
  /** Told of every session and of the novel addresses each relays (the node's peer value). */
  value?: SessionValueHooks
  /** Told of every session's traffic (the node's totals). */
  traffic?: TrafficSink
}

export interface SessionValueHooks {
  track(conn: ConnectionInfo<Peer>): void
  novelAddresses(id: number, count: number): void
}

/** The sessions' slice of the node's settings. */
export interface SessionsInit {
  params: ChainParams
  banning: { readonly enabled: boolean, readonly threshold: number, readonly durationMs: number }
  timeouts?: Partial<PeerTimeouts>
  /** Per-connection rate limits and tarpit deadlines, handed to every session. */
  guard?: Pick<PeerInit, 'rateLimits' | 'tarpit'>
  /** Speak BIP324: advertise NODE_P2P_V2, detect v2 on inbound connections. @default false */
  v2Transport?: boolean
}

/**
 * Creates every peer session the node runs, with the node-wide settings (network, ban policy, the
 * shared self-connection nonces, the address book as gossip sink and getaddr source), and registers each
 * in the connection registry from its first byte to its close. A peer that earns a ban gets its address
 * banned here, so the ban list is the one place that decides who is never dialed or accepted again.
 */
export class Sessions implements Startable {
  readonly #c: SessionsComponents
  readonly #init: SessionsInit
  readonly #nonces: NonceRegistry

  constructor (components: SessionsComponents, init: SessionsInit) {
    this.#c = components
    this.#init = init
    this.#nonces = new NonceRegistry(components.random)
  }

  /** Whether sessions speak BIP324 (v2) when the peer does. */
  get v2Transport (): boolean { return this.#init.v2Transport === true }

  /**
   * Wraps a connected socket in a registered session; the caller starts its handshake. `transport` is
   * what an outbound dial chose; inbound connections detect v1 or v2 from their first bytes when v2 is on.
   */
  open (socket: Socket, addr: NetAddress, kind: ConnectionKind, transport: TransportMode = kind === 'inbound' && this.v2Transport ? 'detect' : 'v1'): ConnectionInfo<Peer> {
    const { clock, random, peerLogger, events, registry, gater, book, banList } = this.#c
    const init = this.#init
    const id = registry.nextId()
    let entry: ConnectionInfo<Peer> | undefined
    // Block-relay-only and feeler sessions get no address source or sink: no getaddr goes out, incoming
    // addr/addrv2 is dropped and a getaddr is not answered, so an attacker cannot map or feed them (Core).
    const addrRelay = relaysAddresses(kind)
      ? {
          addrSink: {
            // Core drops gossip about banned addresses: they would only be skipped at selection.
            addAddresses: (addrs: TimedAddress[], source: NetAddress) => {
              const added = book.add(addrs.filter((a) => !banList.isBanned(a.addr.host)), source)
              if (added > 0) this.#c.value?.novelAddresses(id, added)
            }
          },
          wantAddresses: () => { const s = book.size(); return s.new + s.tried < WANT_ADDRESSES_BELOW },
          getAddrSample: () => book.sample()
        }
      : {}
    const peer = new Peer(socket, { clock, random, logger: peerLogger, events }, {
      id,
      direction: kind === 'inbound' ? 'inbound' : 'outbound',
      addr,
      params: init.params,
      nonces: this.#nonces,
      transport,
      // A peer maintainer serves no blocks: the only service it offers is the encrypted transport.
      services: this.v2Transport ? NODE_P2P_V2 : 0n,
      permanent: kind === 'manual',
      permissions: this.#c.permissions(addr.host),
      banThreshold: init.banning.threshold,
      banning: init.banning.enabled,
      ...(this.#c.traffic === undefined ? {} : { traffic: this.#c.traffic }),
      // A network of peerkeeper nodes (which serve no blocks) requires no services; manual peers are exempt anyway.
      ...(init.params.requiredServices === undefined ? {} : { requiredServices: init.params.requiredServices }),
      ...(init.timeouts === undefined ? {} : { timeouts: init.timeouts }),
      ...init.guard,
      ...addrRelay,
      interceptVersion: (version) => {
        if (entry === undefined) return undefined
        const decision = gater.interceptHandshake(entry, version)
        return decision.allow ? undefined : decision.reason
      }
    })
    entry = registry.add({ id, kind, addr, group: book.groupKey(addr), nowMs: clock.now(), session: peer })
    peer.on('handshake', (info) => { registry.established(id, info, clock.now()) })
    peer.on('ban', ({ reason }) => { this.#ban(peer, reason) })
    peer.on('close', () => { registry.remove(id) })
    this.#c.value?.track(entry)
    return entry
  }

  /** Nothing to start: BIP324's code loads at the first v2 dial or the first inbound v2 peer (see createTransport). */
  start (): void {}

  /** Closes every session (shutdown). */
  stop (): void {
    for (const { session } of this.#c.registry.all()) session.close('shutting down')
  }

  #ban (peer: Peer, reason: string): void {
    const entry = this.#c.banList.ban(peer.addr.host, { durationMs: this.#init.banning.durationMs, reason })
    this.#c.events.emit('ban_recorded', { addr: addrKey(peer.addr), id: peer.id, direction: peer.direction, reason, target: entry.target, expiresMs: entry.expiresMs })
  }
}
