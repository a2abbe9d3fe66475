import { PACKET_EXPANSION_BYTES } from '../bip324/packet-cipher.ts'
import { V2Session, type V2Role } from '../bip324/session.ts'
import type { KnownMessage } from '../wire/messages.ts'
import type { PeerTransport, TransportItem, TransportProtocol } from './transport.ts'
import { V1Transport } from './v1-transport.ts'

/**
 * The BIP324 transport over a V2Session. As a responder it also serves v1: when the first 16 bytes are
 * the v1 `version` header, it hands everything to a v1 transport and behaves as one from then on.
 */
export class V2Transport implements PeerTransport {
  readonly #magic: Uint8Array
  readonly #session: V2Session
  #v1: V1Transport | undefined
  #ready = false

  constructor (magic: Uint8Array, role: V2Role) {
    this.#magic = magic
    this.#session = new V2Session({ magic, role })
  }

  get protocol (): TransportProtocol | undefined {
    if (this.#v1 !== undefined) return 'v1'
    return this.#session.role === 'initiator' || this.#session.state !== 'maybe-v1' ? 'v2' : undefined
  }

  get ready (): boolean { return this.#v1 !== undefined || this.#ready }

  get sessionId (): string | undefined {
    const id = this.#session.sessionId
    return id === undefined ? undefined : Buffer.from(id).toString('hex')
  }

  get receivedNothing (): boolean { return this.#session.shouldReconnectV1 }

  get bufferedBytes (): number { return this.#v1?.bufferedBytes ?? this.#session.bufferedBytes }

  start (): Uint8Array { return this.#session.start() }

  push (chunk: Uint8Array): TransportItem[] {
    if (this.#v1 !== undefined) return this.#v1.push(chunk)
    const out: TransportItem[] = []
    for (const event of this.#session.push(chunk)) {
      switch (event.kind) {
        case 'send': out.push(event); break
        case 'ready': this.#ready = true; out.push({ kind: 'ready' }); break
        case 'message': out.push({ kind: 'message', message: event.message, frameBytes: event.contentsBytes + PACKET_EXPANSION_BYTES }); break
        case 'error': out.push(event); break
        case 'unknown-type': break // dropped without penalty, as Core does
        case 'v1':
          this.#v1 = new V1Transport(this.#magic)
          out.push({ kind: 'ready' }, ...this.#v1.push(event.bytes))
          break
      }
    }
    return out
  }

  encode (message: KnownMessage): Uint8Array {
    return this.#v1 !== undefined ? this.#v1.encode(message) : this.#session.encode(message)
  }
}
