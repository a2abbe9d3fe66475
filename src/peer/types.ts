import type { TrafficSink } from './traffic.ts'
import type { ChainParams } from '../chainparams/chainparams.ts'
import type { Logger } from '../log/logger.ts'
import type { NetAddress, TimedAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { Random } from '../util/random.ts'
import type { VersionMessage, VersionNetAddr } from '../wire/messages.ts'
import type { PeerRateLimits } from '../ratelimit/peer-limits.ts'
import type { PeerEventMap } from './events.ts'
import type { TarpitDeadlines } from './tarpit.ts'
import type { Direction, RequiredServices } from './handshake-policy.ts'
import type { MisbehaviourReason } from './misbehaviour.ts'
import type { NonceRegistry } from './nonces.ts'
import type { TransportMode, TransportProtocol } from './transport.ts'

/** The public shapes of a peer session: its init, its state, its events. */

/**
 * connecting → awaiting-version → awaiting-verack → established → closed. A verack that arrives before
 * the version keeps `awaiting-version` until the version comes; any state can go to closed.
 */
export type PeerState = 'connecting' | 'awaiting-version' | 'awaiting-verack' | 'established' | 'closed'

export interface PeerComponents {
  readonly clock: Clock
  readonly random: Random
  readonly logger: Logger
  /** Where lifecycle events go (the node's bus). @default dropped */
  readonly events?: EventSink<PeerEventMap>
}

export interface PeerTimeouts {
  /** Version and verack both ways must finish within this. */
  readonly handshakeMs: number
  /** A ping is sent this often once established (the first right away). */
  readonly pingIntervalMs: number
  /** Disconnect when a ping has gone unanswered this long. */
  readonly pingTimeoutMs: number
  /** Disconnect when nothing at all was received this long. */
  readonly idleTimeoutMs: number
}

export interface AddrSink {
  addAddresses (addrs: TimedAddress[], source: NetAddress): void
}

export interface PeerInit {
  /** The connection's id, unique in the node (its connection registry hands them out). */
  readonly id: number
  readonly direction: Direction
  /** The remote address (for inbound peers: where the connection came from). */
  readonly addr: NetAddress
  readonly params: ChainParams
  /** The node-wide registry of our version nonces (self-connection detection). */
  readonly nonces: NonceRegistry
  /** 'v1', 'v2' (BIP324, we send our key first) or 'detect' (inbound: the first bytes tell). @default 'v1' */
  readonly transport?: TransportMode
  /** Manually added (--addpeer/--connect): disconnected but never banned; no services required. */
  readonly permanent?: boolean
  /** What --whitelist grants the peer: noban (disconnected but never banned), addr (no addr rate limit). */
  readonly permissions?: Readonly<{ noban: boolean, addr: boolean }>
  /** Services we advertise. @default 0n (a maintainer serves no blocks) */
  readonly services?: bigint
  /** What an outbound peer must offer. @default [NODE_NETWORK, NODE_NETWORK_LIMITED] (either) */
  readonly requiredServices?: RequiredServices
  /** @default DEFAULT_USER_AGENT (`/peerkeeper:<version>/`) */
  readonly userAgent?: string
  /** @default 0 */
  readonly startHeight?: number
  readonly timeouts?: Partial<PeerTimeouts>
  /** Ban when the score reaches this. @default 100 */
  readonly banThreshold?: number
  /** False: no scoring at all (btcd's --nobanning); disconnecting offences still disconnect. @default true */
  readonly banning?: boolean
  /** Disconnect when our unsent bytes to this peer exceed this. @default 10 MiB */
  readonly maxSendBufferBytes?: number
  /** Per-connection limits on what the peer sends (none by default; whitelisted peers are exempt). */
  readonly rateLimits?: PeerRateLimits
  /** Tarpit deadlines. @default 30 s each (src/peer/tarpit.ts says why) */
  readonly tarpit?: Partial<TarpitDeadlines>
  readonly addrSink?: AddrSink
  /** Asked after an outbound handshake: send getaddr? */
  wantAddresses?(): boolean
  /**
   * Asked once the peer's version has passed the protocol checks: a reason to refuse it (the node's
   * connection gater), or undefined to go on.
   */
  interceptVersion?(version: VersionMessage): string | undefined
  /** Addresses to answer an inbound peer's getaddr with (at most 1000 are sent). */
  getAddrSample?(): TimedAddress[]
  /** Also told of this session's traffic (the node's totals). */
  readonly traffic?: TrafficSink
}

export interface HandshakeInfo {
  readonly id: number
  readonly addr: NetAddress
  readonly direction: Direction
  readonly version: number
  readonly services: bigint
  readonly userAgent: string
  readonly startHeight: number
  readonly relay: boolean
  /** The peer sent sendaddrv2: we gossip to it with addrv2. */
  readonly addrV2: boolean
  readonly wtxidRelay: boolean
  /** Their clock minus ours, in seconds. */
  readonly timeOffsetSeconds: number
  readonly transport: TransportProtocol
  /** v2: the BIP324 session id (hex, the same on both ends; Core's getpeerinfo session_id). */
  readonly sessionId: string | undefined
  /** How the peer sees us (its version's addr_recv): an outbound peer tells us our address. */
  readonly localAddr: VersionNetAddr
}

export interface MisbehaviourEvent {
  readonly reason: MisbehaviourReason
  readonly persistent: number
  readonly transient: number
  /** The ban score after this increase. */
  readonly score: number
  readonly action: 'none' | 'disconnect' | 'ban'
  /** Set when the score reached the threshold but the peer is exempt from bans. */
  readonly notBannedBecause?: 'whitelisted' | 'permanent'
}

export interface PeerEvents {
  handshake: [info: HandshakeInfo]
  addr: [addrs: TimedAddress[]]
  pong: [latencyMs: number]
  misbehaving: [event: MisbehaviourEvent]
  /** The node should ban this peer's address (the session only reports it). */
  ban: [event: { reason: MisbehaviourReason, score: number }]
  close: [reason: string]
}

