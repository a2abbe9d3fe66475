import type { TimedAddress } from '../netaddr/netaddress.ts'

/**
 * The Bitcoin P2P messages peerkeeper speaks, as plain typed values. Codecs live beside this file;
 * every command not listed here decodes to `UnknownMessage` and is ignored without penalty.
 */

/** The address fields inside `version` (no timestamp; the IP is always 16 bytes on the wire). */
export interface VersionNetAddr {
  readonly services: bigint
  /** Canonical IP text (IPv4-mapped addresses come back as dotted IPv4). */
  readonly host: string
  readonly port: number
}

export interface VersionMessage {
  readonly command: 'version'
  readonly version: number
  readonly services: bigint
  /** Unix seconds (int64 on the wire). */
  readonly timestamp: bigint
  readonly addrRecv: VersionNetAddr
  readonly addrFrom: VersionNetAddr
  readonly nonce: bigint
  /** At most MAX_USER_AGENT_BYTES bytes of UTF-8. */
  readonly userAgent: string
  readonly startHeight: number
  readonly relay: boolean
}

export interface EmptyMessage<C extends string> { readonly command: C }
export type VerackMessage = EmptyMessage<'verack'>
export type GetAddrMessage = EmptyMessage<'getaddr'>
export type SendAddrV2Message = EmptyMessage<'sendaddrv2'>
export type WtxidRelayMessage = EmptyMessage<'wtxidrelay'>
export type SendHeadersMessage = EmptyMessage<'sendheaders'>

export interface PingMessage { readonly command: 'ping', readonly nonce: bigint }
export interface PongMessage { readonly command: 'pong', readonly nonce: bigint }
/** `addr` (v1: IPv4/IPv6 only) and `addrv2` (BIP 155); entries on unknown networks are dropped on decode. */
export interface AddrMessage { readonly command: 'addr' | 'addrv2', readonly addrs: readonly TimedAddress[] }
export interface SendCmpctMessage { readonly command: 'sendcmpct', readonly announce: boolean, readonly version: bigint }
export interface FeeFilterMessage { readonly command: 'feefilter', readonly feeRate: bigint }
/** Any other command: kept only so the session can count it against the message-rate bucket. */
export interface UnknownMessage { readonly command: string, readonly unknown: true, readonly payload: Uint8Array }

export type KnownMessage =
  | VersionMessage | VerackMessage | PingMessage | PongMessage | GetAddrMessage | AddrMessage
  | SendAddrV2Message | WtxidRelayMessage | SendHeadersMessage | SendCmpctMessage | FeeFilterMessage

export type Message = KnownMessage | UnknownMessage

/** Protocol limits, as in Bitcoin Core (§A8 of the reference). */
export const MAX_PROTOCOL_MESSAGE_BYTES = 4_000_000 // MAX_PROTOCOL_MESSAGE_LENGTH: refused from the header alone
export const MAX_USER_AGENT_BYTES = 256 // MAX_SUBVERSION_LENGTH
export const MAX_ADDR_ENTRIES = 1000 // an addr/addrv2 over this is misbehaviour
export const HEADER_BYTES = 24 // magic 4 + command 12 + length 4 + checksum 4
export const PROTOCOL_VERSION = 70016 // wtxidrelay (BIP 339)
export const MIN_PEER_PROTOCOL_VERSION = 70001 // older peers are refused at the handshake
export const MAX_ADDRV2_ADDRESS_BYTES = 512 // MAX_ADDRV2_SIZE (BIP 155): a longer address is malformed
