import { detectTransport } from '../bip324/detect.ts'
import { V2TransportError } from '../bip324/errors.ts'
import type { KnownMessage } from '../wire/messages.ts'
import { PeerConfigError } from './errors.ts'
import type { PeerTransport, TransportItem, TransportProtocol } from './transport.ts'
import { V1Transport } from './v1-transport.ts'

const EMPTY = new Uint8Array(0)

export interface DetectTransportInit {
  /** Loads BIP324's code and makes a responder: called once, when the first bytes are not v1. */
  loadResponder(): Promise<(magic: Uint8Array) => PeerTransport>
  /** Called once the responder is loaded (or failed to load): push again (an empty chunk will do). */
  resume(): void
}

/**
 * An inbound transport with v2 on, while BIP324's code is not loaded yet: it holds the first bytes until
 * they tell v1 from v2 (as the v2 responder would), serves v1 at once, and loads the v2 responder only
 * for a peer that speaks v2, then hands it every byte held. So a node that never meets a v2 peer never
 * loads BIP324 and secp256k1; the first v2 peer waits for the load once (see docs/bip324.md).
 * The held bytes count as buffered, so the session's tarpit guard bounds them.
 */
export class DetectTransport implements PeerTransport {
  readonly receivedNothing = false
  readonly #magic: Uint8Array
  readonly #init: DetectTransportInit
  #inner: PeerTransport | undefined
  #held: Uint8Array = EMPTY
  #loading: Promise<void> | undefined
  #loadError: Error | undefined

  constructor (magic: Uint8Array, init: DetectTransportInit) {
    this.#magic = magic
    this.#init = init
  }

  get protocol (): TransportProtocol | undefined { return this.#inner?.protocol ?? (this.#loading === undefined ? undefined : 'v2') }
  get ready (): boolean { return this.#inner?.ready ?? false }
  get sessionId (): string | undefined { return this.#inner?.sessionId }
  get bufferedBytes (): number { return this.#inner?.bufferedBytes ?? this.#held.length }

  start (): Uint8Array { return EMPTY }

  push (chunk: Uint8Array): TransportItem[] {
    if (this.#inner !== undefined && this.#held.length === 0) return this.#inner.push(chunk)
    if (this.#loadError !== undefined) return [{ kind: 'error', error: new V2TransportError(`cannot load the v2 transport: ${this.#loadError.message}`) }]
    this.#held = this.#held.length === 0 ? Uint8Array.from(chunk) : Buffer.concat([this.#held, chunk])
    // The v2 responder has just loaded: it gets everything held.
    if (this.#inner !== undefined) return this.#release()
    if (this.#loading !== undefined) return []
    const guess = detectTransport(this.#held, this.#magic)
    if (guess === 'need-more') return []
    if (guess === 'v1') {
      this.#inner = new V1Transport(this.#magic)
      return [{ kind: 'ready' }, ...this.#release()]
    }
    this.#loading = this.#init.loadResponder().then((responder) => {
      const inner = responder(this.#magic)
      inner.start() // a responder sends nothing first
      this.#inner = inner
    }, (err: unknown) => {
      this.#loadError = err instanceof Error ? err : new Error(String(err))
    }).then(() => { this.#init.resume() })
    return []
  }

  encode (message: KnownMessage): Uint8Array {
    if (this.#inner === undefined) throw new PeerConfigError(`${message.command}: nothing may be sent before the transport is known`)
    return this.#inner.encode(message)
  }

  /** The held bytes, through the transport now chosen. */
  #release (): TransportItem[] {
    const held = this.#held
    this.#held = EMPTY
    return this.#inner?.push(held) ?? []
  }
}
