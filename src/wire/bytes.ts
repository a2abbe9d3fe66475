import { InvalidPayloadError, ReadPastEndError, TooManyEntriesError, WireEncodeError } from './errors.ts'

/**
 * Bounds-checked little/big-endian reading and writing of Bitcoin payload fields. Readers throw
 * ReadPastEndError or InvalidPayloadError, which the decoder turns into 'malformed-payload'.
 */

const U64_MAX = (1n << 64n) - 1n
const I64_MIN = -(1n << 63n)
const I64_MAX = (1n << 63n) - 1n
const UTF8_DECODER = new TextDecoder('utf-8')
const UTF8_ENCODER = new TextEncoder()

export class ByteReader {
  readonly #bytes: Uint8Array
  readonly #view: DataView
  #offset = 0

  constructor (bytes: Uint8Array) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get remaining (): number { return this.#bytes.length - this.#offset }

  /** Advances over `n` bytes, returning where they start; throws when fewer remain. */
  #take (n: number, what: string): number {
    const at = this.#offset
    if (n > this.#bytes.length - at) {
      throw new ReadPastEndError(`${what} needs ${n} bytes at offset ${at} but only ${this.#bytes.length - at} remain`)
    }
    this.#offset = at + n
    return at
  }

  u8 (what = 'u8'): number { return this.#bytes[this.#take(1, what)] as number }
  bool (what = 'bool'): boolean { return this.u8(what) !== 0 }
  u16be (what = 'u16'): number { return this.#view.getUint16(this.#take(2, what), false) }
  u32le (what = 'u32'): number { return this.#view.getUint32(this.#take(4, what), true) }
  i32le (what = 'i32'): number { return this.#view.getInt32(this.#take(4, what), true) }
  u64le (what = 'u64'): bigint { return this.#view.getBigUint64(this.#take(8, what), true) }
  i64le (what = 'i64'): bigint { return this.#view.getBigInt64(this.#take(8, what), true) }

  /** A view (not a copy) of the next `n` bytes. */
  bytes (n: number, what = 'bytes'): Uint8Array {
    const at = this.#take(n, what)
    return this.#bytes.subarray(at, at + n)
  }

  /** A CompactSize; non-canonical (longer than needed) encodings are refused, as Bitcoin Core does. */
  compactSize (what = 'CompactSize'): bigint {
    const first = this.u8(what)
    if (first < 0xfd) return BigInt(first)
    let value: bigint
    let min: bigint
    if (first === 0xfd) {
      value = BigInt(this.#view.getUint16(this.#take(2, what), true))
      min = 0xfdn
    } else if (first === 0xfe) {
      value = BigInt(this.u32le(what))
      min = 0x1_0000n
    } else {
      value = this.u64le(what)
      min = 0x1_0000_0000n
    }
    if (value < min) throw new InvalidPayloadError(`${what} ${value} is not canonically encoded`)
    return value
  }

  /**
   * A CompactSize element count of at most `maxCount`, checked against the bytes actually left
   * (each element needs at least `minItemBytes`) before anyone allocates for it.
   */
  count (minItemBytes: number, maxCount: number, what = 'count'): number {
    const count = this.compactSize(what)
    if (count > BigInt(maxCount)) throw new TooManyEntriesError(`${what} ${count} is more than ${maxCount}`)
    if (count * BigInt(minItemBytes) > BigInt(this.remaining)) {
      throw new ReadPastEndError(`${what} ${count} needs at least ${count * BigInt(minItemBytes)} bytes but only ${this.remaining} remain`)
    }
    return Number(count)
  }

  /** CompactSize-prefixed bytes, at most `maxBytes` long. */
  varBytes (maxBytes: number, what = 'var bytes'): Uint8Array {
    const length = this.compactSize(`${what} length`)
    if (length > BigInt(maxBytes)) throw new InvalidPayloadError(`${what} is ${length} bytes, more than ${maxBytes}`)
    return this.bytes(Number(length), what)
  }

  /** A CompactSize-prefixed string of at most `maxBytes` bytes; invalid UTF-8 becomes U+FFFD. */
  varString (maxBytes: number, what = 'string'): string {
    return UTF8_DECODER.decode(this.varBytes(maxBytes, what))
  }
}

/** An append-only buffer that doubles when full. Values out of their field's range throw WireEncodeError. */
export class ByteWriter {
  #bytes: Uint8Array
  #view: DataView
  #length = 0

  constructor (initialBytes = 64) {
    this.#bytes = new Uint8Array(Math.max(initialBytes, 8))
    this.#view = new DataView(this.#bytes.buffer)
  }

  get length (): number { return this.#length }

  /** Reserves `n` bytes and returns their offset. */
  #reserve (n: number): number {
    const at = this.#length
    if (at + n > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, at + n))
      grown.set(this.#bytes.subarray(0, at))
      this.#bytes = grown
      this.#view = new DataView(grown.buffer)
    }
    this.#length = at + n
    return at
  }

  #checkInt (value: number, min: number, max: number, what: string): void {
    if (!Number.isInteger(value) || value < min || value > max) throw new WireEncodeError(`${what} must be an integer in ${min}..${max}, got ${value}`)
  }

  #checkBig (value: bigint, min: bigint, max: bigint, what: string): void {
    if (value < min || value > max) throw new WireEncodeError(`${what} must be in ${min}..${max}, got ${value}`)
  }

  /** Reserves `n` bytes, then lets `write` fill them (reserving first: it may replace the buffer). */
  #put (n: number, write: (view: DataView, at: number) => void): this {
    const at = this.#reserve(n)
    write(this.#view, at)
    return this
  }

  u8 (value: number, what = 'u8'): this {
    this.#checkInt(value, 0, 0xff, what)
    return this.#put(1, (v, at) => { v.setUint8(at, value) })
  }

  bool (value: boolean): this { return this.u8(value ? 1 : 0) }

  u16be (value: number, what = 'u16'): this {
    this.#checkInt(value, 0, 0xffff, what)
    return this.#put(2, (v, at) => { v.setUint16(at, value, false) })
  }

  u32le (value: number, what = 'u32'): this {
    this.#checkInt(value, 0, 0xffff_ffff, what)
    return this.#put(4, (v, at) => { v.setUint32(at, value, true) })
  }

  i32le (value: number, what = 'i32'): this {
    this.#checkInt(value, -0x8000_0000, 0x7fff_ffff, what)
    return this.#put(4, (v, at) => { v.setInt32(at, value, true) })
  }

  u64le (value: bigint, what = 'u64'): this {
    this.#checkBig(value, 0n, U64_MAX, what)
    return this.#put(8, (v, at) => { v.setBigUint64(at, value, true) })
  }

  i64le (value: bigint, what = 'i64'): this {
    this.#checkBig(value, I64_MIN, I64_MAX, what)
    return this.#put(8, (v, at) => { v.setBigInt64(at, value, true) })
  }

  bytes (value: Uint8Array): this {
    const at = this.#reserve(value.length)
    this.#bytes.set(value, at)
    return this
  }

  compactSize (value: number | bigint, what = 'CompactSize'): this {
    const n = BigInt(value)
    this.#checkBig(n, 0n, U64_MAX, what)
    if (n < 0xfdn) return this.u8(Number(n))
    if (n <= 0xffffn) return this.u8(0xfd).#put(2, (v, at) => { v.setUint16(at, Number(n), true) })
    if (n <= 0xffff_ffffn) return this.u8(0xfe).u32le(Number(n))
    return this.u8(0xff).u64le(n)
  }

  varBytes (value: Uint8Array): this { return this.compactSize(value.length).bytes(value) }

  /** A CompactSize-prefixed UTF-8 string of at most `maxBytes` bytes. */
  varString (value: string, maxBytes: number, what = 'string'): this {
    const encoded = UTF8_ENCODER.encode(value)
    if (encoded.length > maxBytes) throw new WireEncodeError(`${what} is ${encoded.length} bytes, more than ${maxBytes}`)
    return this.varBytes(encoded)
  }

  /** The bytes written so far (a view; the writer must not be used afterwards). */
  finish (): Uint8Array { return this.#bytes.subarray(0, this.#length) }
}
