import type { Server } from 'node:net'
import { AddrBook } from '../addrbook/addr-book.ts'
import { chooseAnchors } from '../addrbook/anchors.ts'
import { BanList } from '../banlist/ban-list.ts'
import { ConnManager } from '../connmgr/conn-manager.ts'
import { ConnReq, ConnState } from '../connmgr/conn-req.ts'
import { createNameResolver } from '../discovery/name-resolver.ts'
import type { Resolver } from '../discovery/resolver.ts'
import { nullLoggerFactory, type Logger, type LoggerFactory } from '../log/logger.ts'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import type { PeerTimeouts } from '../peer/types.ts'
import { AddrBookFlusher } from '../store/addrbook-flusher.ts'
import { NodeStore } from '../store/node-store.ts'
import { createDialer } from '../transport/create-dialer.ts'
import type { Dialer } from '../transport/dialer.ts'
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../transport/tcp-dialer.ts'
import { systemClock, type Clock, type TimerHandle } from '../util/clock.ts'
import { systemRandom, type Random } from '../util/random.ts'
import type { Startable } from '../util/startable.ts'
import type { NodeConfig } from './config.ts'
import { acceptInbound, listenAll } from './inbound.ts'
import { Outbound, type OutboundConnection } from './outbound.ts'
import { PermanentPeers } from './permanent.ts'
import { Seeding } from './seeding.ts'
import { Sessions } from './sessions.ts'
import { formatStatus, type NodeStatus } from './status.ts'

/** The status line's period (the issue asks for one a minute). */
export const STATUS_INTERVAL_MS = 60_000

/** Everything the node takes from outside; each defaults to the real thing. Tests and the demo inject. */
export interface NodeComponents {
  clock: Clock
  random: Random
  logging: LoggerFactory
  /** Opens outbound byte streams. @default createDialer(config's proxy settings) */
  dialer: Dialer
  /** Resolves names (permanent peers, DNS seeds, seed nodes). @default Tor with --proxy, else DNS */
  resolver: Resolver
}

/** Timing knobs for tests, the demo and benchmarks; operators get the defaults. */
export interface NodeInit {
  /** First retry of a permanent peer (connection manager). @default 5000 */
  retryDurationMs?: number
  /** @default 300000 */
  maxRetryDurationMs?: number
  /** Seed when no outbound is up this long after start. @default SEED_DELAY_MS (11 s) */
  seedDelayMs?: number
  /** @default RESEED_INTERVAL_MS (60 s) */
  reseedIntervalMs?: number
  /** @default STATUS_INTERVAL_MS */
  statusIntervalMs?: number
  /** Address-book writes are batched this often. @default 60 s */
  flushIntervalMs?: number
  /** Direct TCP connects of the default dialer (proxied ones get DEFAULT_PROXY_CONNECT_TIMEOUT_MS). @default 5 s */
  connectTimeoutMs?: number
  peerTimeouts?: Partial<PeerTimeouts>
}

/** The parts that exist between start() and stop(). */
interface Running {
  store: NodeStore
  book: AddrBook
  banList: BanList
  flusher: AddrBookFlusher
  sessions: Sessions
  seeding: Seeding
  connmgr: ConnManager<OutboundConnection>
  permanent: PermanentPeers
  statusTimer: TimerHandle | undefined
}

/**
 * The assembled node (the composition root of `peerkeeper run`, the demo and embedders): the data
 * directory's store, the address book and ban list, the connection manager with its dialer, peer
 * sessions, seeding, and the status line. See start() for the order things come up in.
 */
export class Node implements Startable {
  readonly config: NodeConfig
  readonly #c: NodeComponents
  readonly #init: NodeInit
  readonly #log: Logger
  #running: Running | undefined
  #starting: Promise<void> | undefined
  #stopping: Promise<void> | undefined

  constructor (config: NodeConfig, components: NodeComponents, init: NodeInit = {}) {
    this.config = config
    this.#c = components
    this.#init = init
    this.#log = components.logging.subsystem('NODE')
  }

  /** The address book (for embedders and tests); undefined before start and after stop. */
  get book (): AddrBook | undefined { return this.#running?.book }
  get banList (): BanList | undefined { return this.#running?.banList }

  /**
   * Opens the store (bans, address book, anchors), then registers the permanent peers, then starts the
   * connection manager (anchors first, then the book), then seeding when it is called for.
   */
  start (): Promise<void> {
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start (): Promise<void> {
    const { clock, random, logging } = this.#c
    const config = this.config
    const store = await NodeStore.open(config.datadir, { logger: logging.subsystem('STORE'), clock })
    let servers: Server[] = []
    try {
      const contents = store.takeContents()
      const book = new AddrBook({ clock, random, logger: logging.subsystem('ADDR') }, {
        ...(contents.addrBookKey === undefined ? {} : { key: contents.addrBookKey }),
        allowLocal: config.params.allowLocalAddresses
      })
      if (contents.addrBookKey === undefined) await store.saveAddrBookKey(book.key)
      book.loadRecords(contents.addrRecords)
      const banList = new BanList({ clock }, { defaultDurationMs: config.banning.durationMs })
      store.bindBanList(banList)
      const flusher = new AddrBookFlusher({ clock, logger: logging.subsystem('STORE'), book, store },
        this.#init.flushIntervalMs === undefined ? {} : { intervalMs: this.#init.flushIntervalMs })
      const sessions = new Sessions({ clock, random, peerLogger: logging.subsystem('PEER'), logger: this.#log, book, banList }, {
        params: config.params,
        banThreshold: config.banning.threshold,
        banDurationMs: config.banning.durationMs,
        banning: config.banning.enabled,
        whitelist: config.banning.whitelist,
        ...(this.#init.peerTimeouts === undefined ? {} : { timeouts: this.#init.peerTimeouts })
      })
      let connmgr: ConnManager<OutboundConnection> | undefined
      const requests = (): readonly ConnReq[] => connmgr?.requests() ?? []
      const seeding = new Seeding({ clock, random, logger: this.#log, seedLogger: logging.subsystem('SEED'), resolver: this.#c.resolver, dialer: this.#c.dialer, sessions, book, banList }, {
        params: config.params,
        dnsSeed: config.seeding.dnsSeed,
        seedNodes: config.seeding.seedNodes,
        outboundUp: () => requests().filter((r) => r.state === ConnState.Established && !r.permanent).length,
        ...(this.#init.seedDelayMs === undefined ? {} : { seedDelayMs: this.#init.seedDelayMs }),
        ...(this.#init.reseedIntervalMs === undefined ? {} : { reseedIntervalMs: this.#init.reseedIntervalMs })
      })
      const permanent = new PermanentPeers({ clock, logger: this.#log, resolver: this.#c.resolver }, { peers: config.outbound.permanentPeers })
      const outbound = new Outbound({ clock, logger: this.#log, dialer: this.#c.dialer, sessions, book, banList, requests }, {
        defaultPort: config.params.defaultPort,
        targetOutbound: config.outbound.targetOutbound,
        isPermanent: (addr) => permanent.has(addr),
        anchors: contents.anchors,
        onDry: () => { seeding.dry() }
      })
      servers = await listenAll(config.inbound.listen)
      const cm: ConnManager<OutboundConnection> = new ConnManager({ clock, random, logger: logging.subsystem('CMGR'), dial: outbound.dial }, {
        targetOutbound: config.outbound.targetOutbound,
        maxInbound: config.inbound.maxInbound,
        listeners: servers,
        onAccept: acceptInbound({ logger: this.#log, sessions, banList }, config.banning.whitelist),
        onConnection: (req, conn) => { this.#onOutbound(cm, book, req, conn) },
        ...(config.outbound.targetOutbound > 0 ? { getNewAddress: outbound.getNewAddress } : {}),
        ...(this.#init.retryDurationMs === undefined ? {} : { retryDurationMs: this.#init.retryDurationMs }),
        ...(this.#init.maxRetryDurationMs === undefined ? {} : { maxRetryDurationMs: this.#init.maxRetryDurationMs })
      })
      connmgr = cm
      this.#running = { store, book, banList, flusher, sessions, seeding, connmgr: cm, permanent, statusTimer: undefined }
      flusher.start()
      // Permanent peers with literal addresses are registered before the manager starts, so they are
      // dialed first; names follow as they resolve.
      permanent.start((addr) => { cm.connect(new ConnReq({ addr, permanent: true })) })
      // Seeding decides on the book as loaded, before the first automatic pick finds it empty.
      seeding.start()
      cm.start()
      this.#running.statusTimer = clock.setInterval(() => { this.logStatus() }, this.#init.statusIntervalMs ?? STATUS_INTERVAL_MS)
      this.#log.event('node_started', {
        network: config.params.name,
        datadir: config.datadir,
        targetOutbound: config.outbound.targetOutbound,
        maxInbound: config.inbound.maxInbound,
        permanent: config.outbound.permanentPeers.length,
        anchors: contents.anchors.length,
        listen: servers.map((s) => { const a = s.address(); return typeof a === 'string' ? a : `${a?.address ?? '?'}:${a?.port ?? '?'}` }),
        ...book.size(),
        bans: banList.size
      }, `node started on ${config.params.name}: target ${config.outbound.targetOutbound} outbound, ${config.outbound.permanentPeers.length} permanent, ${servers.length} listeners`)
    } catch (err) {
      for (const server of servers) server.close()
      if (this.#running === undefined) await store.close()
      else await this.#teardown()
      throw err
    }
  }

  /** An outbound connection is handshaken: tell the book, and hand the session's end back to the manager. */
  #onOutbound (cm: ConnManager<OutboundConnection>, book: AddrBook, req: ConnReq, conn: OutboundConnection): void {
    const { peer } = conn
    const drop = (): void => {
      book.connected(peer.addr)
      // Only while this connection is the request's current one: a retry may already be under way.
      if (req.state === ConnState.Established) cm.disconnect(req.id)
    }
    if (peer.state === 'closed') {
      drop()
      return
    }
    book.good(peer.addr)
    peer.once('close', drop)
  }

  /** Stops dialing, closes every peer, saves the anchors, flushes and closes the store. Idempotent. */
  stop (): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#starting?.catch(() => {})
      await this.#teardown()
    })()
    return this.#stopping
  }

  async #teardown (): Promise<void> {
    const running = this.#running
    if (running === undefined) return
    this.#running = undefined
    const { clock } = this.#c
    if (running.statusTimer !== undefined) clock.clearInterval(running.statusTimer)
    const anchors = chooseAnchors(running.sessions.established('outbound').map((s) => ({
      addr: s.peer.addr, group: running.book.groupKey(s.peer.addr), handshakeAtMs: s.handshakeAtMs ?? 0, permanent: s.permanent
    })))
    running.permanent.stop()
    await running.seeding.stop()
    await running.connmgr.stop()
    running.sessions.closeAll('shutting down')
    try {
      await running.flusher.stop()
      await running.store.saveAnchors(anchors)
      this.#log.event('anchors_saved', { count: anchors.length, addrs: anchors.map(addrKey) }, `saved ${anchors.length} anchors for the next start`)
    } finally {
      await running.store.close()
    }
    this.#log.event('node_stopped', { ...running.book.size(), bans: running.banList.size }, 'node stopped; address book and bans saved')
  }

  /** The numbers of the status line; undefined before start and after stop. */
  status (): NodeStatus | undefined {
    const running = this.#running
    if (running === undefined) return undefined
    const established = running.connmgr.requests().filter((r) => r.state === ConnState.Established)
    const size = running.book.size()
    return {
      outbound: established.filter((r) => !r.permanent).length,
      targetOutbound: this.config.outbound.targetOutbound,
      permanentUp: established.filter((r) => r.permanent).length,
      permanentTotal: this.config.outbound.permanentPeers.length,
      inbound: running.sessions.established('inbound').length,
      maxInbound: this.config.inbound.maxInbound,
      addressesNew: size.new,
      addressesTried: size.tried,
      bans: running.banList.size
    }
  }

  /** Logs the one-line status (every minute, and on SIGUSR1 from the CLI). */
  logStatus (): void {
    const status = this.status()
    if (status !== undefined) this.#log.event('status', { ...status }, formatStatus(status))
  }
}

/** Builds a node from a checked config; components not given are the real ones for that config. */
export function createNode (config: NodeConfig, components: Partial<NodeComponents> = {}, init: NodeInit = {}): Node {
  const clock = components.clock ?? systemClock
  const random = components.random ?? systemRandom
  const logging = components.logging ?? nullLoggerFactory
  const dialer = components.dialer ?? createDialer({ clock, random, logger: logging.subsystem('PROXY') }, {
    ...config.transport,
    connectTimeoutMs: init.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  })
  const resolver = components.resolver ?? createNameResolver({ clock, random }, { ...config.transport, dnsServers: config.names.dnsServers }).resolver
  return new Node(config, { clock, random, logging, dialer, resolver }, init)
}
