import type { NetAddress } from '../netaddr/netaddress.ts'
import type { Direction } from '../peer/handshake-policy.ts'
import type { HandshakeInfo } from '../peer/types.ts'

/**
 * What a connection is for, in Bitcoin Core's words (getpeerinfo's connection_type): automatic outbound,
 * an operator's permanent peer (--addpeer/--connect), a peer that connected to us, a short-lived
 * --seednode connection that only asks for addresses, an automatic outbound connection that takes no part
 * in address relay (Core's block-relay-only, where anchors come from), or a feeler (a short test of an
 * address from the book, closed after the handshake).
 */
export type ConnectionKind = 'outbound-full-relay' | 'block-relay-only' | 'feeler' | 'manual' | 'inbound' | 'addr-fetch'

export const CONNECTION_KINDS: readonly ConnectionKind[] = ['outbound-full-relay', 'block-relay-only', 'feeler', 'manual', 'inbound', 'addr-fetch']

/** Kinds that never exchange addresses (Core: no addr/getaddr either way, so an attacker cannot map them). */
export function relaysAddresses (kind: ConnectionKind): boolean {
  return kind !== 'block-relay-only' && kind !== 'feeler'
}

/** What the registry needs of a live session: a way to end it. */
export interface Session {
  close(reason: string): void
}

/** One live connection as the registry knows it. */
export interface ConnectionInfo<S extends Session = Session> {
  /** Unique in the node: connections and connection requests share one id space. */
  readonly id: number
  readonly direction: Direction
  readonly kind: ConnectionKind
  readonly addr: NetAddress
  /** addrKey(addr): `host:port`. */
  readonly key: string
  /** The network group (the address book's: /16, /32, per overlay network). */
  readonly group: string
  /** When the socket connected (ms, the node's clock). */
  readonly connectedAtMs: number
  /** The peer's version, once the handshake finished. */
  readonly handshake: HandshakeInfo | undefined
  readonly handshakeAtMs: number | undefined
  /** Values by tag name; the peer-value features give them meaning. */
  readonly tags: ReadonlyMap<string, number>
  readonly session: S
}

export interface ConnectionCounts {
  /** Connections of the kind (or direction) with a socket, handshaken or not. */
  readonly total: number
  /** Those whose handshake finished. */
  readonly established: number
}
