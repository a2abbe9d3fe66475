import { createHash, hkdfSync } from 'node:crypto'
import { ellswiftEcdhXonly } from './ellswift.ts'

/** The shared secret, keys, garbage terminators and session id of one v2 connection (BIP324 key derivation). */

export const KEY_BYTES = 32
export const GARBAGE_TERMINATOR_BYTES = 16
export const SESSION_ID_BYTES = 32
const ECDH_TAG = 'bip324_ellswift_xonly_ecdh'
const SALT_PREFIX = 'bitcoin_v2_shared_secret'

/** SHA256(SHA256(tag) || SHA256(tag)) is computed once: it is the same for every connection. */
const ECDH_TAG_PREFIX = (() => {
  const tagHash = createHash('sha256').update(ECDH_TAG).digest()
  return Buffer.concat([tagHash, tagHash])
})()

/**
 * The BIP's v2_ecdh: the tagged hash of both encodings, initiator's first, and the X-only ECDH
 * result. Hashing the exact 64-byte encodings means a third party cannot swap one for another.
 */
export function v2Ecdh (privateKey: Uint8Array, ellswiftTheirs: Uint8Array, ellswiftOurs: Uint8Array, initiating: boolean): Uint8Array {
  const x = ellswiftEcdhXonly(ellswiftTheirs, privateKey)
  const [first, second] = initiating ? [ellswiftOurs, ellswiftTheirs] : [ellswiftTheirs, ellswiftOurs]
  return createHash('sha256').update(ECDH_TAG_PREFIX).update(first).update(second).update(x).digest()
}

export interface SessionKeys {
  /** FSChaCha20 length key and FSChaCha20Poly1305 packet key for what we send. */
  readonly sendL: Uint8Array
  readonly sendP: Uint8Array
  readonly recvL: Uint8Array
  readonly recvP: Uint8Array
  readonly sendGarbageTerminator: Uint8Array
  readonly recvGarbageTerminator: Uint8Array
  readonly sessionId: Uint8Array
}

/** The per-direction keys from the shared secret: HKDF-SHA256, salted with the network magic so networks never talk. */
export function deriveSessionKeys (ecdhSecret: Uint8Array, magic: Uint8Array, initiating: boolean): SessionKeys {
  const salt = Buffer.concat([Buffer.from(SALT_PREFIX, 'ascii'), magic])
  const expand = (info: string, length = KEY_BYTES): Uint8Array => new Uint8Array(hkdfSync('sha256', ecdhSecret, salt, info, length))
  const initiatorL = expand('initiator_L')
  const initiatorP = expand('initiator_P')
  const responderL = expand('responder_L')
  const responderP = expand('responder_P')
  const terminators = expand('garbage_terminators', 2 * GARBAGE_TERMINATOR_BYTES)
  const initiatorTerminator = terminators.subarray(0, GARBAGE_TERMINATOR_BYTES)
  const responderTerminator = terminators.subarray(GARBAGE_TERMINATOR_BYTES)
  const sessionId = expand('session_id', SESSION_ID_BYTES)
  return initiating
    ? { sendL: initiatorL, sendP: initiatorP, recvL: responderL, recvP: responderP, sendGarbageTerminator: initiatorTerminator, recvGarbageTerminator: responderTerminator, sessionId }
    : { sendL: responderL, sendP: responderP, recvL: initiatorL, recvP: initiatorP, sendGarbageTerminator: responderTerminator, recvGarbageTerminator: initiatorTerminator, sessionId }
}
