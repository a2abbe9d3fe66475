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

  constructor (magic: Uint8Array) {
    this.#magic = magic
    this.#decoder = new MessageDecoder(magic)
  }

  start (): Uint8Array { return EMPTY }

  push (chunk: Uint8Array): TransportItem[] {
    return this.#decoder.push(chunk).map((message) => ({ kind: 'message', message }))
  }

  encode (message: KnownMessage): Uint8Array {
    return encodeMessage(this.#magic, message)
  }
}
