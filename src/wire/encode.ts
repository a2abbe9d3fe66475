import { WireEncodeError } from './errors.ts'
import { encodeHeader, MAGIC_BYTES } from './framing.ts'
import { HEADER_BYTES, MAX_PROTOCOL_MESSAGE_BYTES, type KnownMessage } from './messages.ts'
import { encodePayload } from './payloads.ts'

/**
 * A complete wire message (header + payload) for `message` on the network with `magic`.
 * Throws WireEncodeError for values the wire cannot carry (a user agent over 256 bytes, more than
 * 1000 addresses, a nonce outside u64, …). `addr` silently leaves out Tor v3 and I2P entries.
 */
export function encodeMessage (magic: Uint8Array, message: KnownMessage): Uint8Array {
  if (magic.length !== MAGIC_BYTES) throw new WireEncodeError(`network magic must be ${MAGIC_BYTES} bytes, got ${magic.length}`)
  const payload = encodePayload(message)
  if (payload.length > MAX_PROTOCOL_MESSAGE_BYTES) throw new WireEncodeError(`${message.command} payload is ${payload.length} bytes, more than ${MAX_PROTOCOL_MESSAGE_BYTES}`)
  const out = new Uint8Array(HEADER_BYTES + payload.length)
  out.set(encodeHeader(magic, message.command, payload))
  out.set(payload, HEADER_BYTES)
  return out
}
