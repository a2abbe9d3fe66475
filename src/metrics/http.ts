import type { IncomingMessage, ServerResponse } from 'node:http'
import { BoundedHttpServer } from '../http/bounded-server.ts'
import type { HttpLimits } from '../http/limits.ts'
import { sendBody, sendJson, sendText } from '../http/reply.ts'
import type { Logger } from '../log/logger.ts'
import type { HostPort } from '../netaddr/netaddress.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { Startable } from '../util/startable.ts'
import type { MetricsRegistry } from './registry.ts'

export interface Readiness {
  readonly ready: boolean
  readonly reason?: string
}

export interface MetricsServerComponents {
  clock: Clock
  logger: Logger
}

export interface MetricsServerInit {
  /** Loopback unless the operator asks otherwise (there is no authentication on these paths). */
  listen: readonly HostPort[]
  metrics: Pick<MetricsRegistry, 'text' | 'contentType'>
  /** /readyz: 200 when ready, else 503 with the reason. */
  ready: () => Readiness
  heartbeatIntervalMs?: number
  /** /healthz fails once the heartbeat is older than this: the event loop has not turned. */
  maxHeartbeatAgeMs?: number
  limits?: Partial<HttpLimits>
}

/** The heartbeat ticks each second; 5 missed ticks means the loop is stuck, not merely busy. */
const HEARTBEAT_INTERVAL_MS = 1_000
const MAX_HEARTBEAT_AGE_MS = 5_000
/** A scraper, a probe or two, and an operator's curl: a handful of connections is plenty. */
const METRICS_MAX_CONNECTIONS = 8
/** Only GETs are served, so any body is refused early. */
const METRICS_MAX_BODY_BYTES = 1024

/** GET /metrics, /healthz and /readyz on a bounded HTTP server. */
export class MetricsServer implements Startable {
  readonly #components: MetricsServerComponents
  readonly #init: MetricsServerInit
  readonly #http: BoundedHttpServer
  #heartbeat: TimerHandle | undefined
  #lastBeatMs = 0

  constructor (components: MetricsServerComponents, init: MetricsServerInit) {
    this.#components = components
    this.#init = init
    this.#http = new BoundedHttpServer(components, {
      name: 'metrics',
      listen: init.listen,
      handler: async (req, res) => { await this.#handle(req, res) },
      limits: { maxConnections: METRICS_MAX_CONNECTIONS, maxBodyBytes: METRICS_MAX_BODY_BYTES, ...init.limits }
    })
  }

  addresses (): HostPort[] {
    return this.#http.addresses()
  }

  async start (): Promise<void> {
    const { clock } = this.#components
    this.#lastBeatMs = clock.now()
    this.#heartbeat = clock.setInterval(() => { this.#lastBeatMs = clock.now() }, this.#init.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS)
    try {
      await this.#http.start()
    } catch (err) {
      this.#stopHeartbeat()
      throw err
    }
  }

  async stop (): Promise<void> {
    this.#stopHeartbeat()
    await this.#http.stop()
  }

  #stopHeartbeat (): void {
    if (this.#heartbeat !== undefined) this.#components.clock.clearInterval(this.#heartbeat)
    this.#heartbeat = undefined
  }

  async #handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method Not Allowed: GET or HEAD\n', { Allow: 'GET, HEAD', Connection: 'close' })
      return
    }
    switch (new URL(req.url ?? '/', 'http://metrics').pathname) {
      case '/metrics':
        sendBody(res, 200, this.#init.metrics.contentType, await this.#init.metrics.text())
        return
      case '/healthz': {
        const ageMs = this.#components.clock.now() - this.#lastBeatMs
        const alive = ageMs <= (this.#init.maxHeartbeatAgeMs ?? MAX_HEARTBEAT_AGE_MS)
        sendJson(res, alive ? 200 : 503, { alive, heartbeatAgeMs: ageMs })
        return
      }
      case '/readyz': {
        const readiness = this.#init.ready()
        sendJson(res, readiness.ready ? 200 : 503, readiness)
        return
      }
      default:
        sendText(res, 404, 'Not Found: try /metrics, /healthz or /readyz\n')
    }
  }
}
