import { InvalidPayloadError, ProtocolError, ReadPastEndError, TooManyEntriesError } from './errors.ts'
import { MAGIC_BYTES, parseHeader, payloadChecksum, type FrameHeader } from './framing.ts'
import { HEADER_BYTES, MAX_PROTOCOL_MESSAGE_BYTES, type Message } from './messages.ts'
import { decodePayload } from './payloads.ts'

export interface MessageDecoderInit {
  /** Declared payloads above this are refused from the header alone (fatal 'oversized'). */
  maxPayloadBytes?: number
  /** Told of each whole frame and its size on the wire, header included (traffic counters). */
  onFrame?: (item: Message | ProtocolError, frameBytes: number) => void
}

/** Chunks at most this long are copied byte by byte: cheaper than a subarray view for one-byte pushes. */
const SMALL_COPY_BYTES = 16

/**
 * Turns a byte stream, in any chunking, into messages and typed protocol errors.
 *
 * A complete header or payload inside the pushed chunk is read in place; only a frame split across
 * chunks is copied, into a 24-byte header buffer and then one payload buffer of exactly the declared
 * length. So nothing is re-concatenated, and at most 24 + maxPayloadBytes bytes are ever buffered.
 * After a fatal error (bad magic, bad command, oversized) the decoder is closed and ignores input.
 */
export class MessageDecoder {
  readonly #magic: Uint8Array
  readonly #maxPayloadBytes: number
  readonly #onFrame: MessageDecoderInit['onFrame']
  readonly #headerBuffer = new Uint8Array(HEADER_BYTES)
  #headerFill = 0
  #header: FrameHeader | undefined
  #payloadBuffer: Uint8Array | undefined
  #payloadFill = 0
  #closed = false

  constructor (magic: Uint8Array, init: MessageDecoderInit = {}) {
    if (magic.length !== MAGIC_BYTES) throw new RangeError(`network magic must be ${MAGIC_BYTES} bytes, got ${magic.length}`)
    const max = init.maxPayloadBytes ?? MAX_PROTOCOL_MESSAGE_BYTES
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`maxPayloadBytes must be a non-negative integer, got ${max}`)
    this.#magic = magic.slice()
    this.#maxPayloadBytes = max
    this.#onFrame = init.onFrame
  }

  /** True after a fatal error: the stream has lost its framing and push() returns []. */
  get closed (): boolean { return this.#closed }

  /** Bytes held for a frame that is not complete yet. */
  get bufferedBytes (): number { return this.#headerFill + this.#payloadFill }

  /** Decodes every message completed by `chunk`, in order; never throws for any input bytes. */
  push (chunk: Uint8Array): Array<Message | ProtocolError> {
    const out: Array<Message | ProtocolError> = []
    let pos = 0
    while (!this.#closed) {
      let header = this.#header
      if (header === undefined) {
        let headerBytes: Uint8Array
        if (this.#headerFill === 0 && chunk.length - pos >= HEADER_BYTES) {
          headerBytes = chunk.subarray(pos, pos + HEADER_BYTES)
          pos += HEADER_BYTES
        } else {
          const copied = copyInto(this.#headerBuffer, this.#headerFill, chunk, pos)
          this.#headerFill += copied
          pos += copied
          if (this.#headerFill < HEADER_BYTES) break
          this.#headerFill = 0
          headerBytes = this.#headerBuffer
        }
        const parsed = parseHeader(headerBytes, this.#magic, this.#maxPayloadBytes)
        if (parsed instanceof ProtocolError) {
          this.#closed = true
          out.push(parsed)
          break
        }
        header = parsed
        this.#header = header
      }
      let payload: Uint8Array
      if (this.#payloadBuffer === undefined && chunk.length - pos >= header.length) {
        payload = chunk.subarray(pos, pos + header.length)
        pos += header.length
      } else {
        if (pos === chunk.length) break // allocate only once payload bytes arrive
        this.#payloadBuffer ??= new Uint8Array(header.length)
        const copied = copyInto(this.#payloadBuffer, this.#payloadFill, chunk, pos)
        this.#payloadFill += copied
        pos += copied
        if (this.#payloadFill < header.length) break
        payload = this.#payloadBuffer
        this.#payloadBuffer = undefined
        this.#payloadFill = 0
      }
      this.#header = undefined
      const item = decodeFrame(header, payload)
      this.#onFrame?.(item, HEADER_BYTES + header.length)
      out.push(item)
    }
    return out
  }
}

/** Copies as much of `source` from `from` as fits after `fill` in `target`; returns the count. */
function copyInto (target: Uint8Array, fill: number, source: Uint8Array, from: number): number {
  const n = Math.min(target.length - fill, source.length - from)
  if (n <= SMALL_COPY_BYTES) {
    for (let i = 0; i < n; i++) target[fill + i] = source[from + i] as number
  } else {
    target.set(source.subarray(from, from + n), fill)
  }
  return n
}

function decodeFrame (header: FrameHeader, payload: Uint8Array): Message | ProtocolError {
  if (payloadChecksum(payload) !== header.checksum) {
    return new ProtocolError('bad-checksum', `${header.command} payload checksum does not match its header`, header.command)
  }
  return decodeMessagePayload(header.command, payload)
}

/** The message for a payload whose framing is already checked (v1 checksum or v2 AEAD); payload faults become non-fatal errors. */
export function decodeMessagePayload (command: string, payload: Uint8Array): Message | ProtocolError {
  try {
    return decodePayload(command, payload)
  } catch (err) {
    if (err instanceof ReadPastEndError || err instanceof InvalidPayloadError) {
      return new ProtocolError(err instanceof TooManyEntriesError ? 'too-many-entries' : 'malformed-payload', `${command} payload: ${err.message}`, command)
    }
    throw err
  }
}
