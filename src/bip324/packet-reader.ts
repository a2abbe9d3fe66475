import { OversizedPacketError } from './errors.ts'
import { HEADER_BYTES, LENGTH_BYTES, type PacketCipher } from './packet-cipher.ts'
import { TAG_BYTES } from './fschacha.ts'

/** The first growth step of a packet buffer; later steps double, so copying stays linear. */
const MIN_GROWTH_BYTES = 4096

export interface ReadResult {
  /** Where the caller continues in the chunk. */
  readonly next: number
  /** Header + contents + tag of a complete packet (not yet authenticated), if one completed. */
  readonly packet?: Uint8Array
}

/**
 * Cuts the received stream into packets: decrypts each 3-byte length (which advances the length
 * cipher, so lengths are read exactly once, in order) and gathers the rest of the packet. A packet
 * inside one chunk is returned in place; a split one is gathered in a buffer that grows with the
 * bytes that actually arrived (doubling, up to the announced size), so a peer that announces 4 MB
 * and sends 1 byte costs 4 KiB, not 4 MB.
 */
export class PacketReader {
  readonly #cipher: PacketCipher
  readonly #maxContentsBytes: number
  readonly #lengthBuffer = new Uint8Array(LENGTH_BYTES)
  #lengthFill = 0
  /** Bytes of the current packet after its length: undefined until the length is read. */
  #need: number | undefined
  #buffer: Uint8Array | undefined
  #fill = 0

  constructor (cipher: PacketCipher, maxContentsBytes: number) {
    this.#cipher = cipher
    this.#maxContentsBytes = maxContentsBytes
  }

  get bufferedBytes (): number { return this.#lengthFill + this.#fill }

  /** Reads from `chunk` at `pos` up to the end of one packet. Throws OversizedPacketError for a length over the limit. */
  read (chunk: Uint8Array, pos: number): ReadResult {
    let need = this.#need
    if (need === undefined) {
      const take = Math.min(LENGTH_BYTES - this.#lengthFill, chunk.length - pos)
      this.#lengthBuffer.set(chunk.subarray(pos, pos + take), this.#lengthFill)
      this.#lengthFill += take
      pos += take
      if (this.#lengthFill < LENGTH_BYTES) return { next: pos }
      this.#lengthFill = 0
      const contentsBytes = this.#cipher.decryptLength(this.#lengthBuffer)
      if (contentsBytes > this.#maxContentsBytes) throw new OversizedPacketError(`a packet announces ${contentsBytes} bytes of contents, more than ${this.#maxContentsBytes}`)
      need = HEADER_BYTES + contentsBytes + TAG_BYTES
      this.#need = need
    }
    const available = chunk.length - pos
    if (this.#buffer === undefined && available >= need) return this.#complete(pos + need, chunk.subarray(pos, pos + need))
    if (available === 0) return { next: pos }
    const take = Math.min(need - this.#fill, available)
    this.#reserve(this.#fill + take, need)
    const buffer = this.#buffer as Uint8Array
    buffer.set(chunk.subarray(pos, pos + take), this.#fill)
    this.#fill += take
    if (this.#fill < need) return { next: pos + take }
    return this.#complete(pos + take, buffer.subarray(0, need))
  }

  #complete (next: number, packet: Uint8Array): ReadResult {
    this.#need = undefined
    this.#buffer = undefined
    this.#fill = 0
    return { next, packet }
  }

  #reserve (size: number, limit: number): void {
    const capacity = this.#buffer?.length ?? 0
    if (size <= capacity) return
    const grown = new Uint8Array(Math.min(limit, Math.max(size, 2 * capacity, MIN_GROWTH_BYTES)))
    if (this.#buffer !== undefined) grown.set(this.#buffer.subarray(0, this.#fill))
    this.#buffer = grown
  }
}
