import { MessageDecoder } from '../wire/decoder.ts'
import { encodeMessage } from '../wire/encode.ts'
import type { KnownMessage } from '../wire/messages.ts'
import type { PeerTransport, TransportItem } from './transport.ts'

const EMPTY = new Uint8Array(0)

/** The v1 transport: plaintext frames (magic, command, length, checksum) through the streaming decoder. */
export class V1Transport implements PeerTransport {
  readonly protocol = 'v1' as const
  readonly ready = true
  readonly sessionId = undefined
  readonly receivedNothing = false
  readonly #magic: Uint8Array
  readonly #decoder: MessageDecoder
  /** Frame sizes of the messages the last push decoded, in order (the decoder reports them as it goes). */
  #frameBytes: number[] = []

  constructor (magic: Uint8Array) {
    this.#magic = magic
    this.#decoder = new MessageDecoder(magic, { onFrame: (_item, bytes) => { this.#frameBytes.push(bytes) } })
  }

  get bufferedBytes (): number { return this.#decoder.bufferedBytes }

  start (): Uint8Array { return EMPTY }

  push (chunk: Uint8Array): TransportItem[] {
    this.#frameBytes = []
    const frames = this.#frameBytes
    return this.#decoder.push(chunk).map((message, i) => ({ kind: 'message', message, frameBytes: frames[i] ?? 0 }))
  }

  encode (message: KnownMessage): Uint8Array {
    return encodeMessage(this.#magic, message)
  }
}
