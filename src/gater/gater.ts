import type { NetAddress } from '../netaddr/netaddress.ts'
import type { ConnectionInfo, ConnectionKind } from '../registry/types.ts'
import type { VersionMessage } from '../wire/messages.ts'

/** A gater's answer: go on, or refuse with a reason that the node logs (`banned`, `denied`, …). */
export type GateDecision = { readonly allow: true } | { readonly allow: false, readonly reason: string }

export const ALLOW: GateDecision = Object.freeze({ allow: true })

export function deny (reason: string): GateDecision {
  return { allow: false, reason }
}

/**
 * The node's one policy point over who it talks to (go-libp2p's ConnectionGater). Every outbound dial
 * and every accepted socket goes through it exactly once, and every handshake once the peer's version is
 * read. Hooks are synchronous and must be cheap: interceptAccept runs on every accepted socket, before
 * any slot or session memory is taken.
 */
export interface ConnectionGater {
  /** Before a dial: `kind` says whether it is automatic, an operator's permanent peer, or an address fetch. */
  interceptAddrDial(addr: NetAddress, kind: ConnectionKind): GateDecision
  /** A socket was accepted from `remote`; nothing has been allocated for it yet. */
  interceptAccept(remote: NetAddress): GateDecision
  /** The peer's version passed the protocol checks; refusing closes the session without a ban score. */
  interceptHandshake(conn: ConnectionInfo, version: VersionMessage): GateDecision
}

/** A gater that allows everything (a base for embedders who only want one hook). */
export const allowAllGater: ConnectionGater = {
  interceptAddrDial: () => ALLOW,
  interceptAccept: () => ALLOW,
  interceptHandshake: () => ALLOW
}
