import type { Socket } from 'node:net'
import type { AddrBook } from '../addrbook/addr-book.ts'
import type { BanTarget } from '../banlist/ban-target.ts'
import type { BanList } from '../banlist/ban-list.ts'
import type { ChainParams } from '../chainparams/chainparams.ts'
import type { Logger } from '../log/logger.ts'
import { addrKey, type NetAddress, type TimedAddress } from '../netaddr/netaddress.ts'
import type { Direction } from '../peer/handshake-policy.ts'
import { NonceRegistry } from '../peer/nonces.ts'
import { Peer } from '../peer/peer.ts'
import type { PeerTimeouts } from '../peer/types.ts'
import type { Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import { isWhitelisted } from './whitelist.ts'

/** btcd's NeedMoreAddresses: ask an outbound peer for addresses while the book holds fewer than this. */
export const WANT_ADDRESSES_BELOW = 1000

export interface SessionsComponents {
  clock: Clock
  random: Random
  /** The PEER subsystem logger (sessions log their own lifecycle). */
  peerLogger: Logger
  /** The NODE subsystem logger. */
  logger: Logger
  book: AddrBook
  banList: BanList
}

export interface SessionsInit {
  params: ChainParams
  banThreshold: number
  banDurationMs: number
  banning: boolean
  whitelist: readonly BanTarget[]
  timeouts?: Partial<PeerTimeouts>
}

/** A live session the node knows about. */
export interface Session {
  readonly peer: Peer
  readonly permanent: boolean
  /** When its handshake finished (ms); undefined while it is under way. */
  handshakeAtMs: number | undefined
}

/**
 * Creates every peer session the node runs, with the node-wide settings (network, ban policy, the
 * shared self-connection nonces, the address book as gossip sink and getaddr source), and keeps the
 * live ones. A peer that earns a ban gets its address banned here, so the ban list is the one place
 * that decides who is never dialed or accepted again.
 */
export class Sessions {
  readonly #c: SessionsComponents
  readonly #init: SessionsInit
  readonly #nonces: NonceRegistry
  readonly #live = new Map<number, Session>()

  constructor (components: SessionsComponents, init: SessionsInit) {
    this.#c = components
    this.#init = init
    this.#nonces = new NonceRegistry(components.random)
  }

  /** Wraps a connected socket in a session; the caller starts its handshake. */
  open (socket: Socket, addr: NetAddress, direction: Direction, permanent: boolean): Session {
    const { clock, random, peerLogger, book, banList } = this.#c
    const init = this.#init
    const peer = new Peer(socket, { clock, random, logger: peerLogger }, {
      direction,
      addr,
      params: init.params,
      nonces: this.#nonces,
      permanent,
      whitelisted: isWhitelisted(init.whitelist, addr.host),
      banThreshold: init.banThreshold,
      banning: init.banning,
      ...(init.timeouts === undefined ? {} : { timeouts: init.timeouts }),
      addrSink: {
        // Core drops gossip about banned addresses: they would only be skipped at selection.
        addAddresses: (addrs: TimedAddress[], source: NetAddress) => {
          book.add(addrs.filter((a) => !banList.isBanned(a.addr.host)), source)
        }
      },
      wantAddresses: () => { const s = book.size(); return s.new + s.tried < WANT_ADDRESSES_BELOW },
      getAddrSample: () => book.sample()
    })
    const session: Session = { peer, permanent, handshakeAtMs: undefined }
    this.#live.set(peer.id, session)
    peer.on('handshake', () => { session.handshakeAtMs = clock.now() })
    peer.on('ban', ({ reason }) => { this.#ban(peer, reason) })
    peer.on('close', () => { this.#live.delete(peer.id) })
    return session
  }

  /** Handshaken sessions in one direction. */
  established (direction: Direction): Session[] {
    return [...this.#live.values()].filter((s) => s.peer.direction === direction && s.handshakeAtMs !== undefined)
  }

  /** Closes every session (shutdown). */
  closeAll (reason: string): void {
    for (const { peer } of [...this.#live.values()]) peer.close(reason)
  }

  #ban (peer: Peer, reason: string): void {
    const entry = this.#c.banList.ban(peer.addr.host, { durationMs: this.#init.banDurationMs, reason })
    this.#c.logger.event('ban_recorded', { addr: addrKey(peer.addr), id: peer.id, direction: peer.direction, reason, target: entry.target, expiresMs: entry.expiresMs },
      `${entry.target} banned until ${new Date(entry.expiresMs).toISOString()} (${reason})`)
  }
}
