import type { Socket } from 'node:net'
import { EndOfStreamError } from './errors.ts'

/**
 * Reads exact byte counts from a socket however TCP splits or merges the segments, for small
 * request/response protocols (SOCKS5). One read may be pending at a time.
 */
export class SocketReader {
  readonly #socket: Socket
  #chunks: Buffer[] = []
  #buffered = 0
  #ended = false
  #failure: Error | undefined
  #waiter: { wanted: number, resolve: (b: Buffer) => void, reject: (e: Error) => void } | undefined

  constructor (socket: Socket) {
    this.#socket = socket
    socket.on('data', this.#onData)
    socket.once('end', this.#onEnd)
    socket.once('close', this.#onEnd)
    socket.once('error', this.#onError)
  }

  /** Resolves with exactly `length` bytes; rejects with EndOfStreamError if the stream ends first. */
  read (length: number): Promise<Buffer> {
    if (this.#waiter !== undefined) return Promise.reject(new Error('SocketReader: a read is already pending'))
    return new Promise((resolve, reject) => {
      this.#waiter = { wanted: length, resolve, reject }
      this.#settle()
    })
  }

  /** Detaches from the socket and hands back any bytes read beyond the last request. */
  release (): Buffer {
    this.#socket.off('data', this.#onData)
    this.#socket.off('end', this.#onEnd)
    this.#socket.off('close', this.#onEnd)
    this.#socket.off('error', this.#onError)
    const rest = Buffer.concat(this.#chunks)
    this.#chunks = []
    this.#buffered = 0
    return rest
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk)
    this.#buffered += chunk.length
    this.#settle()
  }

  readonly #onEnd = (): void => {
    this.#ended = true
    this.#settle()
  }

  readonly #onError = (err: Error): void => {
    this.#failure = err
    this.#ended = true
    this.#settle()
  }

  #settle (): void {
    const waiter = this.#waiter
    if (waiter === undefined) return
    if (this.#buffered >= waiter.wanted) {
      const all = Buffer.concat(this.#chunks)
      this.#chunks = all.length > waiter.wanted ? [all.subarray(waiter.wanted)] : []
      this.#buffered = all.length - waiter.wanted
      this.#waiter = undefined
      waiter.resolve(all.subarray(0, waiter.wanted))
    } else if (this.#ended) {
      this.#waiter = undefined
      waiter.reject(new EndOfStreamError(this.#buffered, waiter.wanted, this.#failure))
    }
  }
}
