import type { ControlContext, NetworkReach } from '../control/context.ts'
import { controlMethods } from '../control/methods.ts'
import type { LoggerFactory } from '../log/logger.ts'
import type { MetricsServer } from '../metrics/http.ts'
import { addrKey, type HostPort } from '../netaddr/netaddress.ts'
import { DEFAULT_USER_AGENT } from '../peer/constants.ts'
import { RpcServer } from '../rpc/server.ts'
import type { Resolver } from '../discovery/resolver.ts'
import type { Dialer } from '../transport/dialer.ts'
import { clockTimeoutSignal, type Clock } from '../util/clock.ts'
import type { EventBus } from '../util/event-bus.ts'
import type { Random } from '../util/random.ts'
import { startAll, stopAll, type Startable } from '../util/startable.ts'
import { resolveHostPort } from './addr-fetch.ts'
import type { NodeConfig } from './config.ts'
import { DialDeniedError } from './errors.ts'
import type { NodeEvents } from './events.ts'
import type { NodeParts } from './node.ts'
import type { NodeStatus } from './status.ts'

/** Bounds a one-off manual connection's name lookup and dial (the handshake has its own timeout). */
const ONETRY_TIMEOUT_MS = 30_000

export interface ControlPlaneComponents {
  clock: Clock
  random: Random
  logging: LoggerFactory
  dialer: Dialer
  resolver: Resolver
  events: EventBus<NodeEvents>
  parts: NodeParts
  /** The node's status-line numbers. */
  status(): NodeStatus | undefined
  /** Stops the node (what `stop` asks for once its reply is sent). */
  stop(): void
  /** What SIGHUP does; absent when the node has no configuration source to re-read. */
  reload?: () => Promise<unknown>
}

/** getnetworkinfo's networks: direct, through --proxy, or .onion through --onion; no I2P or CJDNS transport. */
function networks (config: NodeConfig): NetworkReach[] {
  const t = config.transport
  const randomize = t.torIsolation === true
  const proxy = t.proxy === undefined ? '' : addrKey(t.proxy)
  const onionProxy = t.onion ?? t.proxy
  const reach = (name: string, reachable: boolean, via: string): NetworkReach =>
    ({ name, limited: !reachable, reachable, proxy: via, proxy_randomize_credentials: reachable && via !== '' && randomize })
  return [
    reach('ipv4', true, proxy),
    reach('ipv6', true, proxy),
    reach('onion', onionProxy !== undefined && t.noOnion !== true, onionProxy === undefined ? '' : addrKey(onionProxy)),
    reach('i2p', false, ''),
    reach('cjdns', false, '')
  ]
}

/**
 * The running node's control plane: the JSON-RPC server (config.rpc) over the methods of src/control/,
 * and the metrics endpoint (config.metrics) fed by the event bus. Started once the parts run, stopped
 * before them.
 */
export class ControlPlane implements Startable {
  readonly rpc: RpcServer | undefined
  /** Set by start() with config.metrics: its code (and prom-client) is loaded only then. */
  metrics: MetricsServer | undefined
  readonly #c: ControlPlaneComponents
  readonly #config: NodeConfig
  #unsubscribe: () => void = () => {}

  constructor (components: ControlPlaneComponents, config: NodeConfig) {
    this.#c = components
    const { clock, random, logging } = components
    this.rpc = config.rpc === undefined
      ? undefined
      : new RpcServer({ clock, random, logger: logging.subsystem('RPC') }, {
        listen: config.rpc.listen,
        methods: controlMethods(this.#context(config)),
        allowIps: config.rpc.allowIps,
        rpcAuth: config.rpc.rpcAuth,
        ...(config.rpc.cookie ? { cookieDir: config.datadir } : {}),
        ...(config.rpc.user === undefined || config.rpc.password === undefined ? {} : { user: config.rpc.user, password: config.rpc.password })
      })
    this.#config = config
  }

  async start (): Promise<void> {
    if (this.#config.metrics !== undefined && this.metrics === undefined) {
      const { createMetricsEndpoint } = await import('./metrics-endpoint.ts')
      const endpoint = createMetricsEndpoint(this.#c, this.#config, this.#config.metrics)
      this.metrics = endpoint.server
      this.#unsubscribe = endpoint.unsubscribe
    }
    await startAll([this.rpc, this.metrics].filter((s) => s !== undefined))
  }

  async stop (): Promise<void> {
    this.#unsubscribe()
    await stopAll([this.rpc, this.metrics].filter((s) => s !== undefined))
  }

  #context (config: NodeConfig): ControlContext {
    const c = this.#c
    const { parts } = c
    return {
      clock: c.clock,
      network: { name: config.params.name, defaultPort: config.params.defaultPort, protocolVersion: config.params.protocolVersion },
      startedAtMs: c.clock.now(),
      registry: parts.registry,
      book: parts.book,
      banList: parts.banList,
      permanent: parts.permanent,
      traffic: parts.traffic,
      localAddresses: () => parts.local.list(),
      userAgent: DEFAULT_USER_AGENT,
      networks: () => networks(config),
      status: () => c.status() ?? {},
      oneTry: (hp) => { void this.#oneTry(hp) },
      requestStop: () => {
        c.events.emit('shutdown_requested', { signal: 'rpc stop' })
        c.stop()
      },
      reload: c.reload
    }
  }

  /** addnode onetry: one manual connection, through the gater, not retried (Core's OpenNetworkConnection). */
  async #oneTry (hp: HostPort): Promise<void> {
    const { clock, resolver, dialer, parts, events } = this.#c
    const timeout = clockTimeoutSignal(clock, ONETRY_TIMEOUT_MS, () => new Error(`no connection within ${ONETRY_TIMEOUT_MS} ms`))
    const signal = timeout.signal
    try {
      const addr = await resolveHostPort(resolver, hp, signal)
      const decision = parts.gater.interceptAddrDial(addr, 'manual')
      if (!decision.allow) throw new DialDeniedError(addrKey(addr), decision.reason)
      const socket = await dialer.dial(addr, { signal })
      const { session } = parts.sessions.open(socket, addr, 'manual')
      timeout.clear()
      await session.handshake()
    } catch (err) {
      events.emit('dial_failed', { addr: addrKey(hp), id: 0, permanent: false, reason: (err as Error).message })
    } finally {
      timeout.clear()
    }
  }
}
