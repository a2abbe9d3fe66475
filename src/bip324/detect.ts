import { MAGIC_BYTES } from '../wire/framing.ts'

/**
 * Inbound v1-versus-v2 detection (BIP324, as Bitcoin Core's V2Transport does it): a v1 initiator's
 * first 16 bytes are the network magic and the `version` command; anything else is a v2 key.
 */

export const V1_PREFIX_BYTES = 16
const VERSION_COMMAND_FIELD = Buffer.from('version\0\0\0\0\0', 'ascii')

export type TransportGuess = 'v1' | 'v2' | 'need-more'

/** The 16 bytes that start every v1 connection on the network with `magic`. */
export function v1Prefix (magic: Uint8Array): Uint8Array {
  return Buffer.concat([magic.subarray(0, MAGIC_BYTES), VERSION_COMMAND_FIELD])
}

/** 'v2' as soon as a byte differs from the v1 prefix, 'v1' once all 16 match, otherwise 'need-more'. */
export function detectTransport (received: Uint8Array, magic: Uint8Array): TransportGuess {
  const prefix = v1Prefix(magic)
  const n = Math.min(received.length, V1_PREFIX_BYTES)
  for (let i = 0; i < n; i++) if (received[i] !== prefix[i]) return 'v2'
  return n === V1_PREFIX_BYTES ? 'v1' : 'need-more'
}

/** Bytes 4..16 are a v1 `version` command: a v1 peer of another network (its magic differs, or detection said v1). */
export function isForeignV1Version (received: Uint8Array): boolean {
  if (received.length < V1_PREFIX_BYTES) return false
  return VERSION_COMMAND_FIELD.equals(received.subarray(MAGIC_BYTES, V1_PREFIX_BYTES))
}
