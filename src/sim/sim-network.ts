import { EventEmitter } from 'node:events'
import { loadV2Transport } from '../peer/transport.ts'
import { createServer } from 'node:net'
import { loadNetwork, type ChainParams } from '../chainparams/chainparams.ts'
import { nullLogger, type Logger } from '../log/logger.ts'
import { sameAddress, type NetAddress } from '../netaddr/netaddress.ts'
import { systemClock, unixSeconds, type Clock } from '../util/clock.ts'
import { seededRandom } from '../util/random.ts'
import type { Startable } from '../util/startable.ts'
import { simHost } from './addresses.ts'
import { gossipSample, simServices } from './gossip.ts'
import { expandSpecs, resolveBehaviour, type SimPeerSpecs, type SimProfile } from './profiles.ts'
import type { SimPeerStats } from './sim-connection.ts'
import { SimPeer, type SimPeerInfo } from './sim-peer.ts'
import { SimConfigError, type SimListenError } from './errors.ts'

export interface SimNetworkComponents {
  /** Drives handshake delays, flapping lifetimes and flood bursts. @default systemClock */
  readonly clock?: Clock
  /** @default nullLogger */
  readonly logger?: Logger
}

export interface SimNetworkInit {
  readonly peers: SimPeerSpecs
  /** Magic and default port. @default regtest */
  readonly params?: ChainParams
  /** Every random choice (nonces, gossip samples, lifetimes) follows from it. @default 1 */
  readonly seed?: number
  /**
   * The port every peer listens on. 0: one free port, picked at start and shared by all peers (tests running
   * in parallel, and the demo, which writes it into its chainparams as the default port). @default params.defaultPort
   */
  readonly port?: number
  /** Most addresses in one `getaddr` answer. @default GOSSIP_MAX_ADDRESSES */
  readonly gossipMax?: number
  /** Connections one peer accepts at once. @default MAX_CONNECTIONS_PER_PEER */
  readonly maxConnectionsPerPeer?: number
  /**
   * How many consecutive peers share one /16 network group (simHost), so that tests meet several peers of
   * one group, as behind one provider. @default 1
   */
  readonly peersPerGroup?: number
  /** Peers whose spec does not say speak BIP324 v2 (misbehaving ones stay v1). @default false */
  readonly v2?: boolean
}

export interface SimNetworkEvents {
  accepted: [peer: SimPeerInfo]
  handshake: [peer: SimPeerInfo]
  closed: [peer: SimPeerInfo]
}

/** Bitcoin Core's cap on one addr message. */
export const GOSSIP_MAX_ADDRESSES = 1000
/** Bitcoin Core's default -maxconnections: a sim host accepts as many as a real node would. */
export const MAX_CONNECTIONS_PER_PEER = 125
/** Sim peers claim a chain this tall; any value works, the node does not sync blocks. */
const START_HEIGHT = 1_000

/** Tries at picking a shared free port before giving up. */
const FREE_PORT_ATTEMPTS = 3

/** A peer given by its index or by its address. */
export type SimPeerTarget = number | NetAddress

/**
 * Hundreds of fake Bitcoin hosts on 127.0.0.0/8, mixed by profile, for the demo, the end-to-end tests
 * and the benchmarks. Deterministic for a seed: each peer draws from its own seeded generator, so its
 * choices do not depend on how the others' connections interleave.
 */
export class SimNetwork extends EventEmitter<SimNetworkEvents> implements Startable {
  readonly params: ChainParams
  private readonly all: SimPeer[]
  private readonly logger: Logger
  private readonly requestedPort: number
  /** Hosts of the peers that speak v2: gossip about them carries NODE_P2P_V2. */
  private readonly v2Hosts = new Set<string>()
  private closed = false

  constructor (components: SimNetworkComponents, init: SimNetworkInit) {
    super()
    const clock = components.clock ?? systemClock
    this.logger = components.logger ?? nullLogger
    this.params = init.params ?? loadNetwork('regtest')
    const seed = init.seed ?? 1
    const port = init.port ?? this.params.defaultPort
    this.requestedPort = port
    const gossipMax = init.gossipMax ?? GOSSIP_MAX_ADDRESSES
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SimConfigError(`sim network: port must be 0-65535, not ${port}`)
    this.all = expandSpecs(init.peers).map((spec, index) => {
      const random = seededRandom(mixSeed(seed, index))
      const peer: SimPeer = new SimPeer({ clock, random, logger: this.logger }, {
        index,
        host: simHost(index, init.peersPerGroup),
        port,
        magic: this.params.magic,
        behaviour: resolveBehaviour(spec, index, init.v2),
        startHeight: START_HEIGHT,
        maxConnections: init.maxConnectionsPerPeer ?? MAX_CONNECTIONS_PER_PEER,
        gossip: (self) => gossipSample(this.addresses(), self, gossipMax, random, unixSeconds(clock), (addr) => simServices(this.v2Hosts.has(addr.host))),
        notify: (event) => { this.emit(event, peer.info) }
      })
      if (peer.v2) this.v2Hosts.add(peer.info.addr.host)
      return peer
    })
  }

  /** Every peer with its profile and address, in index order. */
  get peers (): SimPeerInfo[] {
    return this.all.map((p) => p.info)
  }

  /** The peers' addresses, optionally only those of one profile. */
  addresses (profile?: SimProfile): NetAddress[] {
    return this.peers.filter((p) => profile === undefined || p.profile === profile).map((p) => p.addr)
  }

  peer (target: SimPeerTarget): SimPeerInfo {
    return this.find(target).info
  }

  /** A copy of one peer's counters. */
  stats (target: SimPeerTarget): SimPeerStats {
    const { stats } = this.find(target)
    return { ...stats, received: { ...stats.received } }
  }

  /** The counters summed over every peer, optionally only those of one profile. */
  totals (profile?: SimProfile): SimPeerStats {
    const sum: SimPeerStats = { connectionsAccepted: 0, handshakes: 0, messagesReceived: 0, messagesSent: 0, openConnections: 0, received: {} }
    for (const p of this.all) {
      if (profile !== undefined && p.info.profile !== profile) continue
      sum.connectionsAccepted += p.stats.connectionsAccepted
      sum.handshakes += p.stats.handshakes
      sum.messagesReceived += p.stats.messagesReceived
      sum.messagesSent += p.stats.messagesSent
      sum.openConnections += p.stats.openConnections
      for (const [command, n] of Object.entries(p.stats.received)) sum.received[command] = (sum.received[command] ?? 0) + n
    }
    return sum
  }

  isListening (target: SimPeerTarget): boolean {
    return this.find(target).listening
  }

  /** The port every peer listens on (the shared free port when 0 was asked for). */
  get port (): number {
    return this.all[0]?.port ?? this.requestedPort
  }

  async start (): Promise<void> {
    if (this.closed) throw new SimConfigError('sim network: already closed')
    for (let attempt = 1; ; attempt++) {
      try {
        if (this.requestedPort === 0) {
          const port = await freePort(simHost(0))
          for (const p of this.all) p.port = port
        }
        await Promise.all(this.all.map(async (p) => { await p.start() }))
        break
      } catch (err) {
        await this.stopAll()
        // A free port probed on one IP can be taken on another in between; a fresh one usually works.
        const retry = this.requestedPort === 0 && (err as SimListenError).code === 'EADDRINUSE' && attempt < FREE_PORT_ATTEMPTS
        if (!retry) throw err
      }
    }
    const counts = new Map<SimProfile, number>()
    for (const p of this.all) counts.set(p.info.profile, (counts.get(p.info.profile) ?? 0) + 1)
    this.logger.event('sim_started', { peers: this.all.length, ...Object.fromEntries(counts) }, `simulated network up: ${this.all.length} peers`)
  }

  /** The host goes down: its connections are reset and new dials are refused. */
  async stopPeer (target: SimPeerTarget): Promise<void> {
    await this.find(target).stop()
  }

  /** The host comes back on the same address (a no-op for a refusing peer, which never listens). */
  async restartPeer (target: SimPeerTarget): Promise<void> {
    if (this.closed) throw new SimConfigError('sim network: already closed')
    await this.find(target).start()
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.all.map(async (p) => { await p.stop() }))
  }

  /** Stops every peer; afterwards no listener, socket or timer of the network remains. */
  async close (): Promise<void> {
    this.closed = true
    await this.stopAll()
  }

  async stop (): Promise<void> {
    await this.close()
  }

  private find (target: SimPeerTarget): SimPeer {
    const peer = typeof target === 'number'
      ? this.all[target]
      : this.all.find((p) => sameAddress(p.info.addr, target))
    if (peer === undefined) {
      throw new SimConfigError(`sim network: no peer ${typeof target === 'number' ? `#${target}` : `at ${target.host}:${target.port}`}`)
    }
    return peer
  }
}

/** Starts every listener; the returned network is ready to be dialed. */
export async function startSimNetwork (init: SimNetworkInit, components: SimNetworkComponents = {}): Promise<SimNetwork> {
  // Simulated v2 peers use the node's own BIP324 transport.
  await loadV2Transport()
  const network = new SimNetwork(components, init)
  await network.start()
  return network
}

/** A port the system considers free on `host`, found by listening on port 0 and closing again. */
async function freePort (host: string): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject)
    probe.listen({ host, port: 0 }, resolve)
  })
  const address = probe.address()
  await new Promise<void>((resolve) => { probe.close(() => { resolve() }) })
  if (address === null || typeof address !== 'object') throw new SimConfigError(`sim network: no port from a probe listener on ${host}`)
  return address.port
}

/** An independent stream per peer from one seed (golden-ratio and murmur constants spread the bits). */
function mixSeed (seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0
}
