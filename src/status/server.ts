import type { IncomingMessage, ServerResponse } from 'node:http'
import { BoundedHttpServer } from '../http/bounded-server.ts'
import type { HttpLimits } from '../http/limits.ts'
import { sendBody, sendJson, sendText } from '../http/reply.ts'
import type { Logger, LoggerFactory } from '../log/logger.ts'
import type { HostPort } from '../netaddr/netaddress.ts'
import type { NodeEvents } from '../node/events.ts'
import { systemClock, type Clock, type TimerHandle } from '../util/clock.ts'
import type { EventBus } from '../util/event-bus.ts'
import type { Startable } from '../util/startable.ts'
import { statusClientAllowed } from './binds.ts'
import { EventStream, type EventStreamLimits } from './event-stream.ts'
import { STATUS_PAGE_HTML } from './page/page.ts'
import { buildSnapshot, type StatusHello, type StatusSnapshot, type StatusSource } from './snapshot.ts'
import { StatusTracker, type StatusTrackerInit } from './tracker.ts'

export interface StatusServerComponents {
  clock: Clock
  logger: Logger
  /** The node the page shows: its config and parts, and its event bus. */
  node: StatusSource & { readonly events: EventBus<NodeEvents> }
}

export interface StatusServerInit extends StatusTrackerInit {
  /** Loopback unless the operator asks otherwise: the page shows every peer's address. */
  listen: readonly HostPort[]
  /** Checked on every request (403 when refused); loopback is always allowed by the CLI's rule. */
  allowRemote?: (ip: string) => boolean
  stream?: Partial<EventStreamLimits>
  limits?: Partial<HttpLimits>
  /** @default STATE_INTERVAL_MS */
  stateIntervalMs?: number
}

/** The page redraws from a fresh state at most this often while events arrive: a flood costs one state a second. */
export const STATE_INTERVAL_MS = 1_000
/** Without events, a state still goes out this often, so pings and ages stay current. */
const IDLE_STATE_EVERY = 5
/** Page loads and snapshot requests beside the streams (one tab holds one stream and opens a few). */
const EXTRA_CONNECTIONS = 16
/** The page only reads: no request has a body. */
const STATUS_MAX_BODY_BYTES = 1024

/**
 * The status page's HTTP server (`--statuslisten`): GET / is the page, GET /api/snapshot the state as
 * JSON, GET /api/events a Server-Sent Events stream (a full state first, then node events as they
 * happen, a fresh state each second while something changes, and timeline points). Read-only; bounded
 * like every listener (connections, streams, per-stream buffer, deadlines).
 */
export class StatusServer implements Startable {
  readonly tracker: StatusTracker
  readonly stream: EventStream
  readonly #c: StatusServerComponents
  readonly #init: StatusServerInit
  readonly #http: BoundedHttpServer
  readonly #unsubscribe: Array<() => void> = []
  #ticker: TimerHandle | undefined
  #dirty = false
  #idleTicks = 0

  constructor (components: StatusServerComponents, init: StatusServerInit) {
    this.#c = components
    this.#init = init
    const { clock, logger, node } = components
    this.tracker = new StatusTracker({ clock, events: node.events, counts: () => countsOf(node) }, init)
    this.stream = new EventStream({ clock, logger }, init.stream)
    this.#http = new BoundedHttpServer({ clock, logger }, {
      name: 'status',
      listen: init.listen,
      handler: (req, res) => { this.#handle(req, res) },
      ...(init.allowRemote === undefined ? {} : { allowRemote: init.allowRemote }),
      limits: { maxConnections: this.stream.limits.maxClients + EXTRA_CONNECTIONS, maxBodyBytes: STATUS_MAX_BODY_BYTES, ...init.limits }
    })
  }

  addresses (): HostPort[] {
    return this.#http.addresses()
  }

  /** The page's address, for people: `http://127.0.0.1:PORT/`. */
  url (): string {
    const first = this.addresses()[0]
    if (first === undefined) throw new Error('the status server is not listening')
    return urlOf(first)
  }

  async start (): Promise<void> {
    await this.#http.start()
    this.#c.logger.info(`status page at ${this.addresses().map((a) => urlOf(a)).join(' and ')}`)
    this.tracker.start()
    this.#unsubscribe.push(
      this.tracker.onEvent((event) => {
        this.#dirty = true
        this.stream.broadcast('event', event)
      }),
      this.tracker.onSample((point) => { this.stream.broadcast('sample', point) })
    )
    this.#ticker = this.#c.clock.setInterval(() => { this.#tick() }, this.#init.stateIntervalMs ?? STATE_INTERVAL_MS)
  }

  async stop (): Promise<void> {
    if (this.#ticker !== undefined) this.#c.clock.clearInterval(this.#ticker)
    this.#ticker = undefined
    for (const off of this.#unsubscribe.splice(0)) off()
    this.tracker.stop()
    this.stream.closeAll()
    await this.#http.stop()
  }

  /** Stops and detaches from the node's bus for good. */
  async close (): Promise<void> {
    await this.stop()
    this.tracker.close()
  }

  snapshot (): StatusSnapshot {
    return buildSnapshot(this.#c.node, this.tracker, this.#c.clock.now())
  }

  hello (): StatusHello {
    return { ...this.snapshot(), timeline: this.tracker.timeline(), events: this.tracker.recentEvents() }
  }

  #tick (): void {
    if (this.stream.clientCount === 0) return
    this.#idleTicks++
    if (!this.#dirty && this.#idleTicks < IDLE_STATE_EVERY) return
    this.#dirty = false
    this.#idleTicks = 0
    this.stream.broadcast('state', this.snapshot())
  }

  #handle (req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method Not Allowed: the status page is read-only (GET or HEAD)\n', { Allow: 'GET, HEAD', Connection: 'close' })
      return
    }
    switch (new URL(req.url ?? '/', 'http://status').pathname) {
      case '/':
        sendBody(res, 200, 'text/html; charset=utf-8', STATUS_PAGE_HTML, PAGE_HEADERS)
        return
      case '/api/snapshot':
        sendJson(res, 200, this.hello(), { 'Cache-Control': 'no-store' })
        return
      case '/api/events':
        if (req.method === 'HEAD') {
          sendBody(res, 200, 'text/event-stream', '')
          return
        }
        if (this.stream.accept(res, { event: 'hello', data: this.hello() })) this.#http.streaming(res)
        return
      default:
        sendText(res, 404, 'Not Found: try /, /api/snapshot or /api/events\n')
    }
  }
}

/** The page loads nothing from elsewhere; the policy makes sure of it, and keeps it out of frames. */
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer'
}

function urlOf (a: HostPort): string {
  return `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/`
}

/** The status page of `peerkeeper run` (a Companion of runNodeProcess), when the config asks for one. */
export function statusPageFor (node: StatusServerComponents['node'], logging: LoggerFactory): StatusServer | undefined {
  const page = node.config.statusPage
  if (page === undefined || page.listen.length === 0) return undefined
  return new StatusServer({ clock: systemClock, logger: logging.subsystem('NODE'), node }, { listen: page.listen, allowRemote: statusClientAllowed(page.allowIps) })
}

function countsOf (node: StatusSource): { outbound: number, inbound: number } {
  const registry = node.parts?.registry
  if (registry === undefined) return { outbound: 0, inbound: 0 }
  return { outbound: registry.countDirection('outbound').established, inbound: registry.countDirection('inbound').established }
}
