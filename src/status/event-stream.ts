import type { ServerResponse } from 'node:http'
import type { Logger } from '../log/logger.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'

export interface EventStreamComponents {
  clock: Clock
  logger: Logger
}

export interface EventStreamLimits {
  /** Stream clients at once; one more gets 503. */
  readonly maxClients: number
  /** Unsent bytes a client may have queued when the next message is due; past this it is dropped. */
  readonly maxBufferedBytes: number
  /** A comment line this often keeps idle proxies from closing the stream and finds dead clients. */
  readonly keepAliveMs: number
}

export const DEFAULT_STREAM_LIMITS: EventStreamLimits = {
  // 50 watchers is the "many"; more would be an operator's script gone wrong.
  maxClients: 64,
  // A few full states' worth: a tab that falls further behind is cheaper to restart than to feed.
  maxBufferedBytes: 256 * 1024,
  // Under the 30-60 s idle cut of common proxies.
  keepAliveMs: 15_000
}

/** What the browser waits before it reconnects a dropped stream (EventSource's `retry:` field). */
const RECONNECT_DELAY_MS = 2_000

/**
 * The Server-Sent Events side of the status page: a bounded set of clients, each message serialized
 * once and written to all. A client that does not read is never buffered for without limit: when its
 * unsent data passes maxBufferedBytes at the next message, it is dropped (its EventSource reconnects and
 * starts again from a fresh state), so the node holds at most maxClients x (maxBufferedBytes + one message).
 */
export class EventStream {
  readonly limits: EventStreamLimits
  readonly #c: EventStreamComponents
  readonly #clients = new Set<ServerResponse>()
  #keepAlive: TimerHandle | undefined
  #dropped = 0

  constructor (components: EventStreamComponents, limits: Partial<EventStreamLimits> = {}) {
    this.#c = components
    this.limits = { ...DEFAULT_STREAM_LIMITS, ...limits }
  }

  get clientCount (): number { return this.#clients.size }
  /** Bytes written to the streams and not yet taken by their clients, summed (the memory the streams hold). */
  bufferedBytes (): number {
    let sum = 0
    for (const res of this.#clients) sum += res.writableLength
    return sum
  }

  /** Clients dropped for falling behind, since start. */
  get dropped (): number { return this.#dropped }

  /**
   * Starts a stream on `res` with `hello` as its first message, or answers 503 when the stream is full.
   * Returns whether the client was taken.
   */
  accept (res: ServerResponse, hello: { event: string, data: unknown }): boolean {
    if (this.#clients.size >= this.limits.maxClients) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '10', Connection: 'close' })
      res.end(`Service Unavailable: ${this.limits.maxClients} status streams are open already\n`)
      return false
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' })
    this.#clients.add(res)
    res.once('close', () => { this.#clients.delete(res) })
    res.write(`retry: ${RECONNECT_DELAY_MS}\n${frame(hello.event, hello.data)}`)
    if (this.#keepAlive === undefined) {
      this.#keepAlive = this.#c.clock.setInterval(() => { this.#send(': keep-alive\n\n') }, this.limits.keepAliveMs)
    }
    return true
  }

  /** Sends one message to every client (serialized once). */
  broadcast (event: string, data: unknown): void {
    if (this.#clients.size === 0) return
    this.#send(frame(event, data))
  }

  /** Ends every stream (at stop). */
  closeAll (): void {
    for (const res of this.#clients) res.end()
    this.#clients.clear()
    if (this.#keepAlive !== undefined) this.#c.clock.clearInterval(this.#keepAlive)
    this.#keepAlive = undefined
  }

  #send (text: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > this.limits.maxBufferedBytes) {
        this.#dropped++
        this.#clients.delete(res)
        this.#c.logger.debug(`status: dropping a stream client at ${res.req.socket.remoteAddress ?? '?'}: ${res.writableLength} bytes unread`)
        res.destroy()
        continue
      }
      res.write(text)
    }
    if (this.#clients.size === 0 && this.#keepAlive !== undefined) {
      this.#c.clock.clearInterval(this.#keepAlive)
      this.#keepAlive = undefined
    }
  }
}

/** One SSE message; JSON never contains a raw newline, so `data` is one line. Big integers become strings. */
export function frame (event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data, (_key, value: unknown) => typeof value === 'bigint' ? value.toString() : value)}\n\n`
}
