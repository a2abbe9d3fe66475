import type { NetAddress } from '../netaddr/netaddress.ts'
import type { VersionMessage, VersionNetAddr } from '../wire/messages.ts'
import { MIN_PEER_PROTOCOL_VERSION } from '../wire/messages.ts'
import type { RefusalReason } from './errors.ts'
import type { TransportProtocol } from './transport.ts'
import type { HandshakeInfo } from './types.ts'

/** Pure decisions of the version handshake: what we send, and whose `version` we refuse. */

export type Direction = 'outbound' | 'inbound'

/** Service requirements: the peer must offer every bit of at least one mask (0n alone = no requirement). */
export type RequiredServices = bigint | readonly bigint[]

export function hasRequiredServices (services: bigint, required: RequiredServices): boolean {
  const masks = typeof required === 'bigint' ? [required] : required
  return masks.length === 0 || masks.some((mask) => (services & mask) === mask)
}

export interface VersionCheck {
  readonly direction: Direction
  readonly requiredServices: RequiredServices
  /** A manual connection (--connect/--addpeer): exempt from the service requirement, as in Core. */
  readonly manual: boolean
  /** True for a nonce one of our own sessions sent: the version came back to us. */
  isOwnNonce (nonce: bigint): boolean
}

export interface Refusal { readonly reason: RefusalReason, readonly message: string }

/**
 * Why this `version` is refused, or undefined to accept it. Services are required of automatic outbound
 * peers only, as in Bitcoin Core and bcoin: inbound peers (light clients, crawlers) need serve us nothing,
 * and an operator who names a peer (--connect/--addpeer; Core's manual connections) gets that peer
 * whatever it serves, so peerkeeper nodes, which serve no blocks, can connect to one another.
 */
export function refuseVersion (version: VersionMessage, check: VersionCheck): Refusal | undefined {
  if (check.isOwnNonce(version.nonce)) {
    return { reason: 'self-connection', message: 'connected to ourselves (version nonce is one of ours)' }
  }
  if (version.version < MIN_PEER_PROTOCOL_VERSION) {
    return { reason: 'old-version', message: `protocol version ${version.version} < ${MIN_PEER_PROTOCOL_VERSION}` }
  }
  if (check.direction === 'outbound' && !check.manual && !hasRequiredServices(version.services, check.requiredServices)) {
    return { reason: 'missing-services', message: `services 0x${version.services.toString(16)} lack ${describeServices(check.requiredServices)}` }
  }
  return undefined
}

function describeServices (required: RequiredServices): string {
  const masks = typeof required === 'bigint' ? [required] : required
  return masks.map((m) => `0x${m.toString(16)}`).join(' or ')
}

/** The empty address Core sends for itself; also used for peers we cannot express as an IP (onion, I2P). */
const UNROUTABLE_ADDR: VersionNetAddr = { services: 0n, host: '::', port: 0 }

export interface OurVersion {
  readonly protocolVersion: number
  readonly services: bigint
  readonly nonce: bigint
  readonly userAgent: string
  readonly startHeight: number
  /** Whether we want transaction announcements (a peer maintainer does not). */
  readonly relay: boolean
  readonly nowSeconds: number
}

export function buildVersion (ours: OurVersion, peer: NetAddress): VersionMessage {
  const isIp = peer.network === 'ipv4' || peer.network === 'ipv6' || peer.network === 'cjdns'
  return {
    command: 'version',
    version: ours.protocolVersion,
    services: ours.services,
    timestamp: BigInt(ours.nowSeconds),
    addrRecv: isIp ? { services: 0n, host: peer.host, port: peer.port } : UNROUTABLE_ADDR,
    addrFrom: { ...UNROUTABLE_ADDR, services: ours.services },
    nonce: ours.nonce,
    userAgent: ours.userAgent,
    startHeight: ours.startHeight,
    relay: ours.relay
  }
}

/** What the session knew when its handshake finished, besides the peer's version. */
export interface HandshakeFacts {
  readonly id: number
  readonly addr: NetAddress
  readonly direction: Direction
  readonly addrV2: boolean
  readonly wtxidRelay: boolean
  readonly nowSeconds: number
  readonly transport: TransportProtocol
  readonly sessionId: string | undefined
}

/** The handshake's result, as the session reports it. */
export function handshakeInfo (v: VersionMessage, facts: HandshakeFacts): HandshakeInfo {
  const { nowSeconds, ...rest } = facts
  return {
    ...rest,
    version: v.version,
    services: v.services,
    userAgent: v.userAgent,
    startHeight: v.startHeight,
    relay: v.relay,
    timeOffsetSeconds: Number(v.timestamp) - nowSeconds,
    localAddr: v.addrRecv
  }
}
