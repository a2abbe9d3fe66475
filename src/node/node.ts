import { AddrBook } from '../addrbook/addr-book.ts'
import { BanList } from '../banlist/ban-list.ts'
import { ConnManager } from '../connmgr/conn-manager.ts'
import { ConnReq } from '../connmgr/conn-req.ts'
import { DefaultGater } from '../gater/default-gater.ts'
import type { ConnectionGater } from '../gater/gater.ts'
import { InboundListener } from '../inbound/listener.ts'
import { sameAddress, type NetAddress } from '../netaddr/netaddress.ts'
import { nullLoggerFactory, type LoggerFactory } from '../log/logger.ts'
import type { Peer } from '../peer/peer.ts'
import { Traffic } from '../peer/traffic.ts'
import { ConnectionRegistry } from '../registry/connection-registry.ts'
import { AddrBookFlusher } from '../store/addrbook-flusher.ts'
import { NodeStore, type StoreContents } from '../store/node-store.ts'
import type { Dialer } from '../transport/dialer.ts'
import type { Resolver } from '../discovery/resolver.ts'
import { systemClock, type Clock } from '../util/clock.ts'
import { EventBus } from '../util/event-bus.ts'
import { systemRandom, type Random } from '../util/random.ts'
import { startAll, stopAll, type Startable } from '../util/startable.ts'
import { AnchorKeeper, StatusTicker } from './background.ts'
import { acknowledgeBans } from './ban-ack.ts'
import type { NodeConfig } from './config.ts'
import { logEvents } from './event-log.ts'
import type { NodeEvents } from './events.ts'
import { defaultDialer, defaultResolver } from './defaults.ts'
import { ControlPlane } from './control-plane.ts'
import { acceptInbound } from './inbound.ts'
import { Outbound, type OutboundConnection } from './outbound.ts'
import { noPeersWatch } from './no-peers.ts'
import { buildOutboundKinds, claimedPeers, type OutboundKinds } from './outbound-kinds.ts'
import { configuredLocalAddresses, LocalAddresses } from './local-addresses.ts'
import { SelfAdvertiser, selfAdvertInit } from './self-advert.ts'
import { PermanentPeers } from './permanent.ts'
import { applyLiveSettings, liveSettingsOf, type LiveSettings, type ReconfigureResult } from './reconfigure.ts'
import { createPeerValue } from './peer-value.ts'
import type { PeerValue } from '../peervalue/peer-value.ts'
import { Seeding } from './seeding.ts'
import { Sessions } from './sessions.ts'
import type { NodeStatus } from './status.ts'
import type { NodeTiming } from './timing.ts'
import { pickDefined } from '../util/defined.ts'

export type { NodeTiming } from './timing.ts'

/** What the node takes from outside; each defaults to the real thing. Tests, the demo and embedders inject. */
export interface NodeComponents {
  clock: Clock
  random: Random
  /** Where the log subscriber writes the node's events. @default silent */
  logging: LoggerFactory
  /** Opens outbound byte streams. @default TCP, or SOCKS5 with the config's proxy */
  dialer: Dialer
  /** Resolves names (permanent peers, DNS seeds, seed nodes). @default Tor with a proxy, else DNS */
  resolver: Resolver
}

/** The parts of the node that exist between start() and stop() (the control plane works on these). */
export interface NodeParts {
  readonly store: NodeStore
  readonly book: AddrBook
  readonly banList: BanList
  readonly registry: ConnectionRegistry<Peer>
  readonly gater: ConnectionGater
  /** The built-in gater (admission, allow/deny lists, bans), also when an embedder's gater wraps or replaces it. */
  readonly defaultGater: DefaultGater
  readonly connmgr: ConnManager<OutboundConnection>
  /** Block-relay-only slots and feelers (either may be off). */
  readonly kinds: OutboundKinds
  readonly sessions: Sessions
  readonly listener: InboundListener
  readonly permanent: PermanentPeers
  readonly seeding: Seeding
  readonly peerValue: PeerValue
  /** Bytes and messages of every session since start (getnettotals, metrics). */
  readonly traffic: Traffic
  /** Our own addresses (configured, and each one we advertised): automatic outbound never dials them. */
  readonly local: LocalAddresses
}

/** The defaults an embedder's gater may build on: the ban list, and the default gater (admission, lists, bans) over it. */
export interface GaterDefaults {
  readonly banList: BanList
  readonly fallback: DefaultGater
}

export interface NodeOverrides extends Partial<NodeComponents> {
  /**
   * The connection gater, or a function that builds one from the defaults (to add rules in front of the
   * ban list). @default DefaultGater (inbound admission, allow and deny lists, ban list)
   */
  gater?: ConnectionGater | ((defaults: GaterDefaults) => ConnectionGater)
  /** Timing knobs (tests, demo, benchmarks); operators get the defaults. */
  timing?: NodeTiming
  /** What SIGHUP does (RPC reloadconfig); without it reloadconfig answers that there is nothing to re-read. */
  reload?: () => Promise<unknown>
}

/**
 * The assembled node (the composition root of `peerkeeper run`, the demo and embedders). start() opens
 * the data directory's store, builds the parts (book, ban list, connection registry, gater, sessions,
 * listener, permanent peers, seeding, connection manager) and starts them in order; stop() stops them in
 * reverse, saves the anchors and closes the store. Its events are on `events` from construction on.
 */
export class Node implements Startable {
  readonly config: NodeConfig
  /** Every event of the node, typed; logging is one subscriber. */
  readonly events: EventBus<NodeEvents>
  readonly #c: NodeComponents
  readonly #overrides: NodeOverrides
  #parts: NodeParts | undefined
  #started: Startable[] = []
  #starting: Promise<void> | undefined
  #stopping: Promise<void> | undefined
  #live: LiveSettings

  constructor (config: NodeConfig, components: NodeComponents, overrides: NodeOverrides = {}) {
    this.config = config
    this.#c = components
    this.#overrides = overrides
    this.#live = liveSettingsOf(config)
    const log = components.logging.subsystem('NODE')
    this.events = new EventBus({ onListenerError: (err, name) => { log.error(`a subscriber of ${name} failed: ${(err as Error).message}`) } })
    logEvents(this.events, components.logging)
  }

  /** The running parts; undefined before start and after stop. */
  get parts (): NodeParts | undefined { return this.#parts }
  get book (): AddrBook | undefined { return this.#parts?.book }
  get banList (): BanList | undefined { return this.#parts?.banList }
  get registry (): ConnectionRegistry<Peer> | undefined { return this.#parts?.registry }
  get connmgr (): ConnManager<OutboundConnection> | undefined { return this.#parts?.connmgr }

  start (): Promise<void> {
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start (): Promise<void> {
    const { clock, logging } = this.#c
    const timing = this.#overrides.timing ?? {}
    const store = await NodeStore.open(this.config.datadir, { clock, events: this.events })
    try {
      const contents = store.takeContents()
      const parts = await this.#build(store, contents)
      this.#parts = parts
      this.#started = [
        new AddrBookFlusher({ clock, logger: logging.subsystem('STORE'), events: this.events, book: parts.book, store },
          timing.flushIntervalMs === undefined ? {} : { intervalMs: timing.flushIntervalMs }),
        parts.peerValue,
        parts.sessions,
        parts.listener,
        parts.permanent,
        parts.seeding,
        // Core dials the anchors (block-relay-only) before anything from the book: the full-relay picks then avoid their groups.
        ...[parts.kinds.blockRelay].filter((p) => p !== undefined),
        parts.connmgr,
        ...[parts.kinds.feelers].filter((p) => p !== undefined),
        new SelfAdvertiser({ clock, random: this.#c.random, events: this.events, registry: parts.registry, local: parts.local }, selfAdvertInit(this.config)),
        new StatusTicker({ clock, tick: () => { this.logStatus() } }, timing.statusIntervalMs === undefined ? {} : { intervalMs: timing.statusIntervalMs }),
        ...noPeersWatch(this.config, { clock, events: this.events }, parts.registry),
        // Last to start, first to stop: the anchors are chosen while the outbound peers are still up.
        new AnchorKeeper({ clock, store, registry: parts.registry, events: this.events, claimed: () => claimedPeers(parts.kinds.blockRelay ?? parts.connmgr, parts.book) },
          { ...pickDefined(timing, 'anchorSaveDelayMs'), kinds: this.config.outbound.blockRelayOnly > 0 ? ['block-relay-only'] : ['outbound-full-relay'] }),
        // After everything it controls, so the RPC and metrics answer only for a running node.
        new ControlPlane({ ...this.#c, events: this.events, parts, status: () => this.status(), stop: () => { void this.stop() }, ...pickDefined(this.#overrides, 'reload') }, this.config)
      ]
      await startAll(this.#started)
      this.#dropOnBan(parts)
      this.events.emit('node_started', {
        network: this.config.params.name,
        datadir: this.config.datadir,
        targetOutbound: this.config.outbound.targetOutbound,
        maxInbound: this.config.inbound.maxInbound,
        permanent: this.config.outbound.permanentPeers.length,
        anchors: contents.anchors.length,
        listen: parts.listener.addresses(),
        ...parts.book.size(),
        bans: parts.banList.size
      })
    } catch (err) {
      this.#parts = undefined
      this.#started = []
      await store.close()
      throw err
    }
  }

  /** The parts, wired to each other; nothing runs until they are started. */
  async #build (store: NodeStore, contents: StoreContents): Promise<NodeParts> {
    const { clock, random, logging, dialer, resolver } = this.#c
    const { config, events } = this
    const timing = this.#overrides.timing ?? {}
    let connmgr: ConnManager<OutboundConnection> | undefined
    const book = new AddrBook({ clock, random, logger: logging.subsystem('ADDR'), events, onAdded: () => { connmgr?.wake() } }, {
      ...(contents.addrBookKey === undefined ? {} : { key: contents.addrBookKey }),
      allowLocal: config.params.allowLocalAddresses,
      testBeforeEvict: config.outbound.feelers,
      ...pickDefined(config.outbound, 'selection'),
      ...(config.asmap === undefined ? {} : { asmap: config.asmap })
    })
    if (contents.addrBookKey === undefined) await store.saveAddrBookKey(book.key)
    book.loadRecords(contents.addrRecords)
    const banList = new BanList({ clock }, { defaultDurationMs: config.banning.durationMs })
    store.bindBanList(banList)
    acknowledgeBans(banList, store, events)
    const registry = new ConnectionRegistry<Peer>()
    const { admission } = this.#live
    // Inbound full: the gater asks peer value for a victim (Core's eviction) before it refuses a newcomer.
    const peerValue = createPeerValue(config, { clock, random, events, registry })
    const defaultGater = new DefaultGater({ clock, banList, registry, groupOf: (addr) => book.groupKey(addr), evict: (remote) => peerValue.admitInbound(remote) },
      { lists: admission, limits: admission.limits, maxInbound: config.inbound.maxInbound, onlyNets: config.outbound.onlyNets })
    const gater = this.#gater({ banList, fallback: defaultGater })
    const permissions = (host: string): ReturnType<DefaultGater['permissions']> => defaultGater.permissions(host)
    const traffic = new Traffic()
    const sessions = new Sessions({ clock, random, peerLogger: logging.subsystem('PEER'), events, registry, gater, permissions, book, banList, value: peerValue, traffic }, {
      params: config.params,
      banning: config.banning,
      guard: config.guard,
      v2Transport: config.sessions.v2Transport,
      ...(timing.peerTimeouts === undefined ? {} : { timeouts: timing.peerTimeouts })
    })
    const seeding = new Seeding({ clock, random, events, resolver, dialer, gater, sessions, book, banList }, {
      params: config.params,
      ...config.seeding,
      outboundUp: () => registry.count('outbound-full-relay').established,
      ...pickDefined(timing, 'seedDelayMs', 'reseedIntervalMs')
    })
    const permanent = new PermanentPeers({
      clock,
      events,
      resolver,
      connect: (addr) => { connmgr?.connect(new ConnReq({ addr, permanent: true })) },
      release: (addr) => { releaseRequest(connmgr, addr) }
    },
      { peers: config.outbound.permanentPeers })
    const rotation = { ...timing.rotation, factor: config.outbound.rotation ?? 0 }
    const returns = pickDefined({ windowMs: config.outbound.returnWindowMs, minTenureMs: timing.returnMinTenureMs }, 'windowMs', 'minTenureMs')
    const local = new LocalAddresses(configuredLocalAddresses(config.inbound.externalIps ?? [], config.inbound.listen))
    const kinds = buildOutboundKinds({ clock, random, logger: logging.subsystem('CMGR'), events, dialer, gater, sessions, registry, book, banList, local, fullRelayRequests: () => connmgr?.requests() ?? [] },
      config, { anchors: contents.anchors, rotation, returns, ...pickDefined(timing, 'feelerIntervalMs', 'dialStaggerMs', 'recentTryMs') })
    const outbound = new Outbound({ clock, events, dialer, gater, sessions, registry, book, banList, requests: kinds.requests }, {
      defaultPort: config.params.defaultPort,
      targetOutbound: config.outbound.targetOutbound,
      isPermanent: (addr) => permanent.has(addr),
      anchors: kinds.fullRelayAnchors,
      onDry: () => { seeding.dry() },
      mayDial: kinds.mayDial,
      ...pickDefined(timing, 'recentTryMs')
    })
    connmgr = new ConnManager({ clock, random, logger: logging.subsystem('CMGR'), events, nextId: registry.nextId, dial: outbound.dial }, {
      targetOutbound: config.outbound.targetOutbound,
      ...(config.outbound.targetOutbound > 0 ? { getNewAddress: outbound.getNewAddress, claimOnFailure: outbound.claimOnFailure } : {}),
      ...pickDefined(timing, 'retryDurationMs', 'maxRetryDurationMs', 'noAddressRetryMs', 'dialStaggerMs'),
      rotation,
      returns
    })
    const listener = new InboundListener({ clock, logger: logging.subsystem('NODE'), events, gater }, {
      listen: config.inbound.listen,
      hasSlot: (remote) => defaultGater.hasSlot(remote),
      onAccept: acceptInbound({ sessions, events })
    })
    return { store, book, banList, registry, gater, defaultGater, connmgr, kinds, sessions, listener, permanent, seeding, peerValue, traffic, local }
  }

  #gater (defaults: GaterDefaults): ConnectionGater {
    const given = this.#overrides.gater
    if (given === undefined) return defaults.fallback
    return typeof given === 'function' ? given(defaults) : given
  }

  /** A ban made while running (a peer's misbehaviour, an operator) drops the live connections it covers. */
  #dropOnBan (parts: NodeParts): void {
    parts.banList.on('changed', (change) => {
      if (change.type !== 'added') return
      for (const conn of parts.registry.all()) {
        if (parts.banList.isBanned(conn.addr.host)) conn.session.close(`banned: ${change.entry.reason}`)
      }
    })
  }

  /**
   * Applies new live settings (limits, allow/deny lists, log level) without a restart: SIGHUP and the
   * control API call this. Throws, changing nothing, on a setting that cannot be used. Emits
   * config_reloaded; `needRestart` names other settings the caller saw change, for that event.
   */
  reconfigure (settings: LiveSettings, note: { needRestart?: readonly string[] } = {}): ReconfigureResult {
    const parts = this.#parts
    const target = parts === undefined ? undefined : { gater: parts.defaultGater, registry: parts.registry, logging: this.#c.logging }
    const result = applyLiveSettings(target, this.#live, settings)
    this.#live = settings
    this.events.emit('config_reloaded', { changed: result.changed, dropped: result.dropped, needRestart: note.needRestart ?? [] })
    return result
  }

  /** Stops every part in reverse order (saving the anchors first), then closes the store. Idempotent. */
  stop (): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#starting?.catch(() => {})
      const parts = this.#parts
      if (parts === undefined) return
      this.#parts = undefined
      try {
        await stopAll(this.#started)
      } finally {
        // Only now: a peer banned while the parts stop (its session still open) is still written and acknowledged.
        parts.banList.removeAllListeners('changed')
        await parts.store.close()
      }
      this.events.emit('node_stopped', { ...parts.book.size(), bans: parts.banList.size })
    })()
    return this.#stopping
  }

  /** The numbers of the status line; undefined before start and after stop. */
  status (): NodeStatus | undefined {
    const parts = this.#parts
    if (parts === undefined) return undefined
    const size = parts.book.size()
    return {
      outbound: parts.registry.count('outbound-full-relay').established,
      targetOutbound: this.config.outbound.targetOutbound,
      blockRelay: parts.registry.count('block-relay-only').established,
      blockRelayTarget: this.config.outbound.blockRelayOnly,
      permanentUp: parts.registry.count('manual').established,
      permanentTotal: parts.permanent.list().length,
      inbound: parts.registry.count('inbound').established,
      maxInbound: this.config.inbound.maxInbound,
      listening: parts.listener.addresses().length > 0,
      v2: parts.registry.all().filter((c) => c.handshake?.transport === 'v2').length,
      addressesNew: size.new,
      addressesTried: size.tried,
      bans: parts.banList.size
    }
  }

  /** Emits the status event (every minute, and on SIGUSR1 from the CLI). */
  logStatus (): void {
    const status = this.status()
    if (status !== undefined) this.events.emit('status', status)
  }
}

/** Ends the permanent request for `addr` (addnode remove): its connection closes and is not retried. */
function releaseRequest (connmgr: ConnManager<OutboundConnection> | undefined, addr: NetAddress): void {
  const req = connmgr?.requests().find((r) => r.permanent && r.addr !== undefined && sameAddress(r.addr, addr))
  if (req !== undefined) connmgr?.remove(req.id)
}

/** Builds a node from a checked config; components not given are the real ones for that config. */
export function createNode (config: NodeConfig, overrides: NodeOverrides = {}): Node {
  const clock = overrides.clock ?? systemClock
  const random = overrides.random ?? systemRandom
  const logging = overrides.logging ?? nullLoggerFactory
  const dialer = overrides.dialer ?? defaultDialer(config, { clock, random, logging }, overrides.timing?.connectTimeoutMs)
  const resolver = overrides.resolver ?? defaultResolver(config, { clock, random })
  return new Node(config, { clock, random, logging, dialer, resolver }, overrides)
}
