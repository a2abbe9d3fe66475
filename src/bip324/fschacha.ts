import { createCipheriv, createDecipheriv } from 'node:crypto'

/**
 * The BIP's forward-secure wrappers around node:crypto's ChaCha20 and ChaCha20-Poly1305 (RFC 8439):
 * both switch to a key drawn from their own keystream every REKEY_INTERVAL messages, so a key
 * leaked later does not decrypt what was sent before.
 */

/** Messages per key (BIP324): 224 3-byte lengths use 672 keystream bytes, leaving exactly 32 of 11 blocks for the next key. */
export const REKEY_INTERVAL = 224
export const TAG_BYTES = 16
const BLOCK_BYTES = 64
const NEW_KEY_BYTES = 32
/** Keystream made per call to the cipher: one rekey period of 3-byte lengths plus the next key. */
const LENGTH_KEYSTREAM_BYTES = 11 * BLOCK_BYTES
const ZEROS = new Uint8Array(LENGTH_KEYSTREAM_BYTES)

/** The 12-byte nonce: a 32-bit little-endian counter, then the 64-bit little-endian rekey count. */
function nonce (counter: number, rekeys: number): Buffer {
  const out = Buffer.alloc(12)
  out.writeUInt32LE(counter >>> 0, 0)
  out.writeUInt32LE(rekeys % 2 ** 32, 4)
  out.writeUInt32LE(Math.floor(rekeys / 2 ** 32), 8)
  return out
}

/** `length` bytes of the ChaCha20 keystream for (key, nonce) from 64-byte block `block` on. */
function keystream (key: Uint8Array, nonce12: Buffer, block: number, length: number): Buffer {
  // node's 'chacha20' IV is OpenSSL's: the 32-bit little-endian block counter, then the 96-bit nonce.
  const iv = Buffer.alloc(16)
  iv.writeUInt32LE(block, 0)
  nonce12.copy(iv, 4)
  return createCipheriv('chacha20', key, iv).update(length <= ZEROS.length ? ZEROS.subarray(0, length) : new Uint8Array(length))
}

/** FSChaCha20: one stream cipher for the packet lengths; every call to crypt() is a "chunk". */
export class FSChaCha20 {
  #key: Uint8Array
  #rekeys = 0
  #chunks = 0
  #block = 0
  #stream: Buffer = Buffer.alloc(0)
  #pos = 0

  constructor (key: Uint8Array) {
    this.#key = key
  }

  /** Encrypts or decrypts (the same XOR) one chunk. */
  crypt (chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length)
    const stream = this.#take(chunk.length)
    for (let i = 0; i < chunk.length; i++) out[i] = (chunk[i] as number) ^ (stream[i] as number)
    if (++this.#chunks === REKEY_INTERVAL) {
      this.#key = Uint8Array.from(this.#take(NEW_KEY_BYTES))
      this.#chunks = 0
      this.#rekeys++
      this.#block = 0
      // Leftover keystream of the old key is dropped, as Bitcoin Core does (with 3-byte chunks there is none).
      this.#stream = Buffer.alloc(0)
      this.#pos = 0
    }
    return out
  }

  #take (length: number): Uint8Array {
    if (this.#stream.length - this.#pos < length) {
      const blocks = Math.max(LENGTH_KEYSTREAM_BYTES, length) / BLOCK_BYTES
      const fresh = keystream(this.#key, nonce(0, this.#rekeys), this.#block, Math.ceil(blocks) * BLOCK_BYTES)
      this.#block += Math.ceil(blocks)
      this.#stream = Buffer.concat([this.#stream.subarray(this.#pos), fresh])
      this.#pos = 0
    }
    const out = this.#stream.subarray(this.#pos, this.#pos + length)
    this.#pos += length
    return out
  }
}

/** FSChaCha20Poly1305: the packet AEAD; the nonce is the packet's index under the current key and the rekey count. */
export class FSChaCha20Poly1305 {
  #key: Uint8Array
  #rekeys = 0
  #packets = 0

  constructor (key: Uint8Array) {
    this.#key = key
  }

  /** Ciphertext of the concatenated `parts`, followed by the 16-byte tag. */
  encrypt (aad: Uint8Array, parts: readonly Uint8Array[]): Buffer {
    const cipher = createCipheriv('chacha20-poly1305', this.#key, nonce(this.#packets, this.#rekeys), { authTagLength: TAG_BYTES })
    if (aad.length > 0) cipher.setAAD(aad, { plaintextLength: parts.reduce((n, p) => n + p.length, 0) })
    const out = Buffer.concat([...parts.map((p) => cipher.update(p)), cipher.final(), cipher.getAuthTag()])
    this.#advance()
    return out
  }

  /** The plaintext of `ciphertext` (tag last), or undefined when it does not authenticate. */
  decrypt (aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
    const decipher = createDecipheriv('chacha20-poly1305', this.#key, nonce(this.#packets, this.#rekeys), { authTagLength: TAG_BYTES })
    this.#advance()
    if (ciphertext.length < TAG_BYTES) return undefined
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES))
    if (aad.length > 0) decipher.setAAD(aad, { plaintextLength: ciphertext.length - TAG_BYTES })
    const plain = decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES))
    try {
      decipher.final()
    } catch {
      return undefined
    }
    // A plain Uint8Array view, so decoded payloads look the same as the v1 decoder's.
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.length)
  }

  #advance (): void {
    if (++this.#packets < REKEY_INTERVAL) return
    // The new key is keystream block 1 under nonce (0xffffffff, rekeys): what encrypting 32 zero bytes would give.
    this.#key = Uint8Array.from(keystream(this.#key, nonce(0xffffffff, this.#rekeys), 1, NEW_KEY_BYTES))
    this.#packets = 0
    this.#rekeys++
  }
}
