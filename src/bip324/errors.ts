import { NamedError } from '../util/errors.ts'

/**
 * The remote side broke the BIP324 transport: the byte stream cannot be continued, so the peer layer
 * disconnects. Bitcoin Core disconnects for each of these without a misbehaviour score; callers match
 * the concrete class by `err.name`.
 */
export class V2TransportError extends NamedError {}

/** No garbage terminator within the first 4095 bytes of garbage (+ 16 terminator bytes). */
export class MissingGarbageTerminatorError extends V2TransportError {}

/** A packet failed Poly1305 authentication: wrong keys (not a v2 peer, wrong network), tampering or loss. */
export class PacketAuthenticationError extends V2TransportError {}

/** A packet's decrypted length is over the limit (the v1 4 MB payload limit plus the 13-byte type). */
export class OversizedPacketError extends V2TransportError {}

/** A responder saw a v1 `version` header under another network's magic (Core: "V1 peer with wrong MessageStart"). */
export class WrongNetworkError extends V2TransportError {}

/** The caller used a session wrongly (encode before the keys exist, push after close, bad init): a bug, not the peer. */
export class V2UsageError extends NamedError {}
