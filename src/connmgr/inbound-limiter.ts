import type { Server, Socket } from 'node:net'
import type { Logger } from '../log/logger.ts'
import type { Clock } from '../util/clock.ts'
import { baseRetryDelayMs } from './backoff.ts'
import { LogThrottle } from './log-throttle.ts'

/** btcd logs the first three inbound rejections, then at most one per 30 s. */
const REJECT_LOG_BURST = 3
const REJECT_LOG_INTERVAL_MS = 30_000
/** Accept failures (EMFILE, ENFILE…) pause admission 5 ms, doubling to 1 s, as Go's net/http server does. */
const ACCEPT_BACKOFF = { mode: 'exponential', retryDurationMs: 5, maxRetryDurationMs: 1_000 } as const

export interface InboundLimiterInit {
  /** Sockets open at once (undefined = unlimited, 0 = reject all). */
  maxInbound?: number | undefined
  /** Receives each admitted socket; without it every inbound socket is closed. */
  onAccept?: ((socket: Socket) => void) | undefined
}

/**
 * Admits inbound sockets from the servers it is given: one slot per open socket, released exactly once
 * when the socket closes; sockets beyond the limit are closed before onAccept sees them.
 * Node reports a failed accept as an 'error' event on the server; the limiter then sheds new sockets for
 * a growing pause (they would only take descriptors from a process that has none to spare) instead of
 * handling each one at full speed, and logs it rate-limited.
 */
export class InboundLimiter {
  readonly #clock: Clock
  readonly #log: Logger
  readonly #maxInbound: number | undefined
  readonly #onAccept: ((socket: Socket) => void) | undefined
  readonly #servers: Server[] = []
  readonly #rejectLog = new LogThrottle(REJECT_LOG_BURST, REJECT_LOG_INTERVAL_MS)
  readonly #acceptErrorLog = new LogThrottle(REJECT_LOG_BURST, REJECT_LOG_INTERVAL_MS)
  #live = 0
  #rejected = 0
  #acceptFailures = 0
  #pausedUntilMs = 0
  #closed = false

  constructor (components: { clock: Clock, logger: Logger }, init: InboundLimiterInit = {}) {
    this.#clock = components.clock
    this.#log = components.logger
    this.#maxInbound = init.maxInbound
    this.#onAccept = init.onAccept
  }

  /** Admitted sockets that are still open. */
  get live (): number {
    return this.#live
  }

  /** Sockets closed on arrival since creation. */
  get rejected (): number {
    return this.#rejected
  }

  /** Takes ownership of a server: its connections go through the limit, and close() closes it. */
  listen (server: Server): void {
    this.#servers.push(server)
    server.on('connection', this.#onConnection)
    server.on('error', this.#onError)
    const address = server.address()
    this.#log.info(`Server listening on ${typeof address === 'string' ? address : `${address?.address ?? '?'}:${address?.port ?? '?'}`}`)
  }

  /** Takes a slot for the socket (released once, on close), or closes it and counts a rejection. */
  admit (socket: Socket): boolean {
    if (this.#maxInbound !== undefined && this.#live >= this.#maxInbound) {
      this.#reject(socket, 'inbound_limit')
      return false
    }
    this.#live++
    socket.once('close', () => { this.#live-- })
    return true
  }

  /** Stops accepting on every server; sockets already handed to onAccept stay the caller's. */
  close (): void {
    this.#closed = true
    for (const server of this.#servers) {
      server.off('connection', this.#onConnection)
      // The error listener stays: a late 'error' without one would crash the process.
      server.close(() => {})
    }
  }

  readonly #onConnection = (socket: Socket): void => {
    if (this.#closed) {
      socket.destroy()
      return
    }
    if (this.#onAccept === undefined) {
      this.#reject(socket, 'no_accept_handler')
      return
    }
    if (this.#clock.now() < this.#pausedUntilMs) {
      this.#reject(socket, 'accept_backoff')
      return
    }
    if (!this.admit(socket)) return
    this.#acceptFailures = 0
    try {
      this.#onAccept(socket)
    } catch (err) {
      this.#log.error(`onAccept failed: ${(err as Error).message}`)
      socket.destroy()
    }
  }

  readonly #onError = (err: Error): void => {
    if (this.#closed) return
    this.#acceptFailures++
    const delayMs = baseRetryDelayMs(this.#acceptFailures, ACCEPT_BACKOFF)
    this.#pausedUntilMs = this.#clock.now() + delayMs
    if (this.#acceptErrorLog.shouldLog(this.#clock.now())) {
      this.#log.event('accept_failed', { reason: err.message, delayMs, failures: this.#acceptFailures },
        `Can't accept connection: ${err.message}; pausing ${delayMs} ms`, 'error')
    }
  }

  #reject (socket: Socket, reason: string): void {
    this.#rejected++
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    socket.destroy()
    if (this.#rejectLog.shouldLog(this.#clock.now())) {
      this.#log.event('inbound_rejected', { addr: remote, reason, rejected: this.#rejected },
        `Inbound connection rejected (${reason}): rejected=${this.#rejected} remote=${remote}`, 'warn')
    }
  }
}
