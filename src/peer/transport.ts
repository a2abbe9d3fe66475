import type { V2TransportError } from '../bip324/errors.ts'
import type { ProtocolError } from '../wire/errors.ts'
import type { KnownMessage, Message } from '../wire/messages.ts'
import { NODE_P2P_V2 } from '../wire/services.ts'
import { DetectTransport } from './detect-transport.ts'
import { PeerConfigError } from './errors.ts'
import { V1Transport } from './v1-transport.ts'

/** The wire protocol a session speaks: v1 plaintext framing, or BIP324's encrypted v2. */
export type TransportProtocol = 'v1' | 'v2'

/**
 * How a session's transport starts: 'v1' or 'v2' (we open, or the peer was dialed with that), or
 * 'detect' (inbound with v2 on: the first 16 bytes tell v1 from v2, as Core does).
 */
export type TransportMode = TransportProtocol | 'detect'

/** What a transport makes of received bytes, in stream order. An 'error' is last; the stream is then dead. */
export type TransportItem =
  /** Bytes to write to the peer now (v2 handshake: our key, garbage terminator, version packet). */
  | { readonly kind: 'send', readonly bytes: Uint8Array }
  /** The transport is up (v2: their version packet authenticated; detect: v1 recognised): `version` may go out. */
  | { readonly kind: 'ready' }
  /** `frameBytes`: what the message took on the wire (v1 frame with header; v2 packet with length and tag). */
  | { readonly kind: 'message', readonly message: Message | ProtocolError, readonly frameBytes: number }
  | { readonly kind: 'error', readonly error: V2TransportError }

/** One session's byte layer: bytes in, messages out; messages in, bytes out. */
export interface PeerTransport {
  /** Undefined while 'detect' waits for the first bytes. */
  readonly protocol: TransportProtocol | undefined
  /** True once application messages may be sent (v1 at once; v2 after 'ready'). */
  readonly ready: boolean
  /** v2: the BIP324 session id (hex), the same on both ends, once ready. */
  readonly sessionId: string | undefined
  /** v2 initiator: nothing at all came back, which is how a v1-only peer answers our key (BIP324). */
  readonly receivedNothing: boolean
  /** Received bytes held for a message not yet complete (the tarpit guard watches it). */
  readonly bufferedBytes: number
  /** The bytes that open the connection (a v2 initiator's key and garbage; otherwise none). */
  start(): Uint8Array
  push(chunk: Uint8Array): TransportItem[]
  encode(message: KnownMessage): Uint8Array
}

let v2Module: typeof import('./v2-transport.ts') | undefined

/**
 * Loads BIP324's code (and its secp256k1 dependency) once: only a process that meets a v2 peer pays for
 * it. Call before the first createTransport of 'v2' (the node does it while the TCP connection is being
 * made); an inbound 'detect' transport calls it itself when the first bytes are v2.
 */
export async function loadV2Transport (): Promise<void> {
  v2Module ??= await import('./v2-transport.ts')
}

async function loadV2Responder (): Promise<(magic: Uint8Array) => PeerTransport> {
  await loadV2Transport()
  return (magic) => createTransport('detect', magic)
}

/**
 * A session's transport. 'v2' needs loadV2Transport() first. 'detect' before that needs `resume` (the
 * session pushes again when it is called): the transport tells v1 from v2 and loads BIP324 only for v2.
 */
export function createTransport (mode: TransportMode, magic: Uint8Array, resume?: () => void): PeerTransport {
  if (mode === 'v1') return new V1Transport(magic)
  if (v2Module !== undefined) return new v2Module.V2Transport(magic, mode === 'v2' ? 'initiator' : 'responder')
  if (mode === 'detect' && resume !== undefined) return new DetectTransport(magic, { loadResponder: loadV2Responder, resume })
  throw new PeerConfigError(`transport ${mode}: the v2 transport is not loaded (await loadV2Transport() first)`)
}

/** What decides the transport of an outbound connection. */
export interface OutboundTransportFacts {
  /** --v2transport (on by default). */
  readonly v2Enabled: boolean
  /** A manual connection (--connect/--addpeer): tried with v2 whatever the book knows, as Core does. */
  readonly manual: boolean
  /** The services the address book has for the address (gossip, seeds); undefined if it is not there. */
  readonly services: bigint | undefined
  /** The book remembers that a v2 attempt to this address fell back to v1. */
  readonly v1Only: boolean
}

/**
 * Core's rule: try v2 when we speak it and the peer advertises NODE_P2P_V2 (or, for a manual
 * connection, unless we know better); never to an address that already fell back to v1.
 */
export function outboundTransport (facts: OutboundTransportFacts): TransportProtocol {
  if (!facts.v2Enabled || facts.v1Only) return 'v1'
  if (facts.manual) return 'v2'
  return facts.services !== undefined && (facts.services & NODE_P2P_V2) !== 0n ? 'v2' : 'v1'
}
