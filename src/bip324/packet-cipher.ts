import { FSChaCha20, FSChaCha20Poly1305, TAG_BYTES } from './fschacha.ts'
import type { SessionKeys } from './keys.ts'
import { V2UsageError } from './errors.ts'

/**
 * BIP324 packets: a 3-byte encrypted length (FSChaCha20), then header byte + contents encrypted and
 * authenticated together (FSChaCha20Poly1305). One instance holds both directions of a session.
 */

export const LENGTH_BYTES = 3
export const HEADER_BYTES = 1
/** A packet is this much longer than its contents. */
export const PACKET_EXPANSION_BYTES = LENGTH_BYTES + HEADER_BYTES + TAG_BYTES
/** The most the 3-byte length field can carry. */
export const MAX_CONTENTS_FIELD_BYTES = 2 ** 24 - 1
/** The header's highest bit marks a decoy packet; the other bits are reserved and ignored. */
const IGNORE_BIT = 0x80
const EMPTY = new Uint8Array(0)

export interface EncryptOptions {
  /** Authenticated with the packet; only the first packet in each direction carries one (the garbage sent). */
  readonly aad?: Uint8Array
  /** A decoy: the receiver authenticates and drops it. */
  readonly ignore?: boolean
}

export interface DecryptedPacket {
  readonly ignore: boolean
  readonly contents: Uint8Array
}

export class PacketCipher {
  readonly #sendL: FSChaCha20
  readonly #sendP: FSChaCha20Poly1305
  readonly #recvL: FSChaCha20
  readonly #recvP: FSChaCha20Poly1305

  constructor (keys: SessionKeys) {
    this.#sendL = new FSChaCha20(keys.sendL)
    this.#sendP = new FSChaCha20Poly1305(keys.sendP)
    this.#recvL = new FSChaCha20(keys.recvL)
    this.#recvP = new FSChaCha20Poly1305(keys.recvP)
  }

  /** The whole packet for `contents`: encrypted length, encrypted header and contents, tag. */
  encrypt (contents: Uint8Array, options: EncryptOptions = {}): Uint8Array {
    if (contents.length > MAX_CONTENTS_FIELD_BYTES) throw new V2UsageError(`packet contents are ${contents.length} bytes, more than the ${MAX_CONTENTS_FIELD_BYTES} a length field carries`)
    const header = Uint8Array.of(options.ignore === true ? IGNORE_BIT : 0)
    const aead = this.#sendP.encrypt(options.aad ?? EMPTY, [header, contents])
    const length = Uint8Array.of(contents.length & 0xff, (contents.length >>> 8) & 0xff, contents.length >>> 16)
    return Buffer.concat([this.#sendL.crypt(length), aead])
  }

  /** The contents length announced by the next packet's 3 encrypted length bytes. */
  decryptLength (encrypted: Uint8Array): number {
    const plain = this.#recvL.crypt(encrypted.subarray(0, LENGTH_BYTES))
    return (plain[0] as number) | ((plain[1] as number) << 8) | ((plain[2] as number) << 16)
  }

  /** Header + contents + tag (the packet after its length) decrypted, or undefined when it does not authenticate. */
  decrypt (aead: Uint8Array, aad: Uint8Array = EMPTY): DecryptedPacket | undefined {
    const plain = this.#recvP.decrypt(aad, aead)
    if (plain === undefined || plain.length < HEADER_BYTES) return undefined
    return { ignore: ((plain[0] as number) & IGNORE_BIT) !== 0, contents: plain.subarray(HEADER_BYTES) }
  }
}
