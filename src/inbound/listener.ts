import { createServer, type Server, type Socket } from 'node:net'
import { baseRetryDelayMs } from '../connmgr/backoff.ts'
import type { ConnectionGater } from '../gater/gater.ts'
import type { Logger } from '../log/logger.ts'
import { addrKey, toNetAddress, type NetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import { nullEventSink, type EventSink } from '../util/event-bus.ts'
import type { Startable } from '../util/startable.ts'
import { ListenError } from './errors.ts'
import type { InboundEventMap } from './events.ts'
import { LogThrottle } from '../util/log-throttle.ts'
import { rejectReasonOf, type RejectReason } from '../admission/reasons.ts'
import { DEFAULT_REJECT_LOG_INTERVAL_MS, RejectLog, type RejectLogLine } from '../admission/reject-log.ts'
import type { TimerHandle } from '../util/clock.ts'

/** btcd logs the first three accept errors, then at most one per 30 s. */
const ACCEPT_ERROR_LOG_BURST = 3
const ACCEPT_ERROR_LOG_INTERVAL_MS = 30_000
/** Accept failures (EMFILE, ENFILE…) pause admission 5 ms, doubling to 1 s, as Go's net/http server does. */
const ACCEPT_BACKOFF = { mode: 'exponential', retryDurationMs: 5, maxRetryDurationMs: 1_000 } as const

/** A listening address; `host` undefined means every interface (IPv6 and IPv4 where the system allows). */
export interface ListenAddress {
  readonly host: string | undefined
  readonly port: number
}

export interface InboundListenerComponents {
  clock: Clock
  logger: Logger
  events?: EventSink<InboundEventMap>
  gater: ConnectionGater
}

export interface InboundListenerInit {
  /** Addresses to bind at start(); all or none. */
  listen?: readonly ListenAddress[]
  /** Servers already bound (tests, embedders): handled like bound ones, closed at stop(). */
  servers?: readonly Server[]
  /**
   * Whether an inbound slot is free for `remote` (asked after the gater allowed it; the node's default
   * gater has already checked, so this is the bound that stays when an embedder replaces the gater).
   * Without it every socket the gater allows is admitted.
   */
  hasSlot?(remote: NetAddress): boolean
  /** Receives each admitted socket; without it every inbound socket is closed. */
  onAccept?(socket: Socket, remote: NetAddress): void
}

/**
 * The node's listening sockets and the door of inbound admission: every accepted socket goes through
 * the connection gater once, then the slot check, and only then reaches onAccept, so a refused socket
 * costs no session. Node reports a failed accept as an 'error' event on the server; the listener then
 * sheds new sockets for a growing pause (they would only take descriptors from a process that has none
 * to spare) instead of handling each one at full speed, and logs it rate-limited.
 */
export class InboundListener implements Startable {
  readonly #c: InboundListenerComponents
  readonly #init: InboundListenerInit
  readonly #events: EventSink<InboundEventMap>
  readonly #servers: Server[] = []
  readonly #rejectLog = new RejectLog()
  readonly #acceptErrorLog = new LogThrottle(ACCEPT_ERROR_LOG_BURST, ACCEPT_ERROR_LOG_INTERVAL_MS)
  #flushTimer: TimerHandle | undefined
  #rejected = 0
  #acceptFailures = 0
  #pausedUntilMs = 0
  #closed = false

  constructor (components: InboundListenerComponents, init: InboundListenerInit = {}) {
    this.#c = components
    this.#init = init
    this.#events = components.events ?? nullEventSink()
  }

  /** Sockets closed on arrival since creation (gater, slots, backoff). */
  get rejected (): number {
    return this.#rejected
  }

  /** The bound addresses, as `host:port`. */
  addresses (): string[] {
    return this.#servers.map((s) => {
      const a = s.address()
      return typeof a === 'string' ? a : `${a?.address ?? '?'}:${a?.port ?? '?'}`
    })
  }

  /** Binds every listen address (a failure closes those already bound) and starts admitting. */
  async start (): Promise<void> {
    const bound = await listenAll(this.#init.listen ?? [])
    for (const server of [...(this.#init.servers ?? []), ...bound]) this.#take(server)
    // The tail of a flood is reported even when no further rejection comes to carry it.
    this.#flushTimer = this.#c.clock.setInterval(() => { this.#logRejections(this.#rejectLog.flush(this.#c.clock.now())) }, DEFAULT_REJECT_LOG_INTERVAL_MS)
  }

  /** Stops accepting on every server; sockets already handed to onAccept stay the caller's. */
  stop (): void {
    this.#closed = true
    if (this.#flushTimer !== undefined) this.#c.clock.clearInterval(this.#flushTimer)
    this.#logRejections(this.#rejectLog.flush(Infinity))
    for (const server of this.#servers) {
      server.off('connection', this.#onConnection)
      // The error listener stays: a late 'error' without one would crash the process.
      server.close(() => {})
    }
  }

  #take (server: Server): void {
    this.#servers.push(server)
    server.on('connection', this.#onConnection)
    server.on('error', this.#onError)
    this.#c.logger.info(`Server listening on ${this.addresses().at(-1) ?? '?'}`)
  }

  readonly #onConnection = (socket: Socket): void => {
    if (this.#closed) {
      socket.destroy()
      return
    }
    const onAccept = this.#init.onAccept
    if (onAccept === undefined) {
      this.#reject(socket, 'no_accept_handler')
      return
    }
    if (this.#c.clock.now() < this.#pausedUntilMs) {
      this.#reject(socket, 'accept_backoff')
      return
    }
    const remote = toNetAddress(socket.remoteAddress ?? '', socket.remotePort ?? 0)
    if (remote === undefined) {
      socket.destroy()
      return
    }
    const decision = this.#c.gater.interceptAccept(remote)
    if (!decision.allow) {
      const reason = rejectReasonOf(decision.reason)
      this.#reject(socket, reason, reason === decision.reason ? undefined : decision.reason)
      return
    }
    if (this.#init.hasSlot?.(remote) === false) {
      this.#reject(socket, 'slots_full')
      return
    }
    this.#acceptFailures = 0
    try {
      onAccept(socket, remote)
    } catch (err) {
      this.#c.logger.error(`onAccept failed: ${(err as Error).message}`)
      socket.destroy()
    }
  }

  readonly #onError = (err: Error): void => {
    if (this.#closed) return
    this.#acceptFailures++
    const delayMs = baseRetryDelayMs(this.#acceptFailures, ACCEPT_BACKOFF)
    this.#pausedUntilMs = this.#c.clock.now() + delayMs
    if (this.#acceptErrorLog.shouldLog(this.#c.clock.now())) {
      this.#events.emit('accept_failed', { reason: err.message, delayMs, failures: this.#acceptFailures })
    }
  }

  /** Closes a socket unserved: an event for each (counters), a log line only as RejectLog allows. */
  #reject (socket: Socket, reason: RejectReason, detail?: string): void {
    this.#rejected++
    const addr = socketAddr(socket)
    socket.destroy()
    this.#events.emit('inbound_rejected', { addr, direction: 'inbound', reason, ...(detail === undefined ? {} : { detail }), rejected: this.#rejected })
    this.#logRejections(this.#rejectLog.record(reason, addr, this.#c.clock.now()))
  }

  #logRejections (line: RejectLogLine | undefined): void {
    if (line === undefined) return
    const suppressed = line.suppressed
    this.#events.emit('inbound_rejections', {
      ...(line.kind === 'rejection' ? { addr: line.remote, reason: line.reason } : {}),
      rejected: this.#rejected,
      heldBack: suppressed?.total ?? 0,
      heldBackByReason: suppressed?.byKey ?? {}
    })
  }
}

function socketAddr (socket: Socket): string {
  const host = socket.remoteAddress ?? '?'
  return `${host.includes(':') ? `[${host}]` : host}:${socket.remotePort ?? '?'}`
}

/** Binds one server per address; all or none (a failure closes those already bound). */
export async function listenAll (addresses: readonly ListenAddress[]): Promise<Server[]> {
  const servers: Server[] = []
  try {
    for (const address of addresses) {
      const server = createServer({ noDelay: true })
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          const where = address.host === undefined ? `port ${address.port}` : addrKey({ host: address.host, port: address.port })
          reject(new ListenError(`cannot listen on ${where} (${err.code ?? err.message})`, where))
        })
        server.listen({ port: address.port, ...(address.host === undefined ? {} : { host: address.host }) }, resolve)
      })
    }
  } catch (err) {
    for (const server of servers) server.close()
    throw err
  }
  return servers
}
