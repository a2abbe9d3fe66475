import { mkdirSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { AddrBook } from '../../../src/addrbook/addr-book.ts'
import { BUCKET_SIZE } from '../../../src/addrbook/placement.ts'
import type { Selection } from '../../../src/addrbook/select.ts'
import { buildNodeConfig } from '../../../src/cli/node-config.ts'
import type { RunOptions } from '../../../src/cli/run-flags.ts'
import { nullLogger } from '../../../src/log/logger.ts'
import type { NetAddress } from '../../../src/netaddr/netaddress.ts'
import { createNode, type Node, type NodeTiming } from '../../../src/node/node.ts'
import { NodeStore } from '../../../src/store/node-store.ts'
import type { Dialer } from '../../../src/transport/dialer.ts'
import { TcpDialer } from '../../../src/transport/tcp-dialer.ts'
import { unixSeconds, type Clock } from '../../../src/util/clock.ts'
import type { Random } from '../../../src/util/random.ts'
import { Attacker } from './attacker.ts'
import { ageStore } from './age-store.ts'
import { CloseCauses } from './close-causes.ts'

/** Each honest node is alone in its /16: 127.(HONEST_BASE + i).0.1. */
export const HONEST_BASE = 10
/** Attacker /16s: 127.(ATTACKER_BASE + g).x.y, all answered by one hub. */
export const ATTACKER_BASE = 150

/** The attacker pushes a full addr message on every connection this often (simulated ms). */
const ATTACKER_PUSH_INTERVAL_MS = 5 * 60_000

export interface NodeSettings {
  readonly name: string
  readonly blockRelayOnly: number
  readonly feelers: boolean
  /** An asmap file (Core's format) the nodes group by. */
  readonly asmap?: string
  /** --selection; absent = the default. */
  readonly selection?: Selection
  /**
   * Emulate Core's anchors.dat, written only at a clean shutdown: after a crash the node starts without
   * anchors (peerkeeper also writes them whenever the outbound set changes, issue 13, so a crash keeps them).
   */
  readonly anchorsAtCleanStopOnly?: boolean
  /** --rotation k; absent = the default. */
  readonly rotation?: number
  /** Rotate the block-relay-only slots too (NodeConfig.outbound.rotateBlockRelay). */
  readonly rotateBlockRelay?: boolean
  /** The rotation's minimum spacing and tenure (simulated ms) instead of the node's. */
  readonly rotationTiming?: NonNullable<NodeTiming['rotation']>
  /** Core's recent-try window (simulated ms) instead of its 10 minutes. */
  readonly recentTryMs?: number
  /** --returnwindow (e.g. '0s': no returns); absent = the default. */
  readonly returnWindow?: string
  /**
   * A control: each node's book starts with one address in every attacker group (instead of one address),
   * so its first picks already see the attacker's groups.
   */
  readonly knowsEveryAttackerGroup?: boolean
}

export interface Scenario {
  readonly honest: number
  readonly attackerGroups: number
  /** Attacker addresses per honest address. */
  readonly gossipFactor: number
}

/** Connections made to each side, full-relay and block-relay-only (the latter include the anchors). */
export interface PickCounts {
  readonly fullRelay: { attacker: number, honest: number }
  readonly blockRelay: { attacker: number, honest: number }
}

/** One book seen from the simulation: its groups by side, and its occupied buckets by side. */
export interface BookView {
  readonly attackerGroups: number
  readonly honestGroupsUp: number
  readonly newBuckets: { readonly attacker: number, readonly honest: number }
  readonly triedBuckets: { readonly attacker: number, readonly honest: number }
}

export const honestAddr = (i: number, port: number): NetAddress => ({ network: 'ipv4', host: `127.${HONEST_BASE + i}.0.1`, port })
export const isAttacker = (host: string): boolean => Number(host.split('.')[1]) >= ATTACKER_BASE
/** The host of an IPv4 event address (`127.x.y.z:port`). */
const hostOf = (key: string): string => key.split(':')[0] ?? ''

/** Outbound slots (full-relay and block-relay-only, handshaken) of one node, and how many the attacker holds. */
export function outboundShare (node: Node): { attacker: number, total: number, fullRelay: { attacker: number, total: number }, blockRelay: { attacker: number, total: number } } {
  const fullRelay = { attacker: 0, total: 0 }
  const blockRelay = { attacker: 0, total: 0 }
  for (const conn of node.registry?.all() ?? []) {
    if ((conn.kind !== 'outbound-full-relay' && conn.kind !== 'block-relay-only') || conn.handshake === undefined) continue
    const kind = conn.kind === 'block-relay-only' ? blockRelay : fullRelay
    kind.total++
    if (isAttacker(conn.addr.host)) kind.attacker++
  }
  return { attacker: fullRelay.attacker + blockRelay.attacker, total: fullRelay.total + blockRelay.total, fullRelay, blockRelay }
}

/**
 * Tens of real peerkeeper nodes (createNode, real TCP on 127.0.0.0/8, real LevelDB), each listening in
 * its own /16, plus the attacker hub, all on one accelerated clock. Restarts are clean (stop) or crashes
 * (kill -9 emulated in-process: the store's writes are cut off first, so neither the book's last changes
 * nor the anchors are saved, then the node is torn down).
 */
export class EclipseNetwork {
  readonly #c: { clock: Clock, random: Random }
  readonly #settings: NodeSettings
  readonly #scenario: Scenario
  readonly #port: number
  readonly #dir: string
  readonly #timing: NodeTiming
  readonly #chainparams: string
  readonly #attacker: Attacker
  readonly #hub: { host: string, port: number }
  readonly nodes: Node[] = []
  /** Automatic outbound connections made, per node and side, by kind (each one a pick that worked). */
  readonly picks: PickCounts[] = []
  /** Per node, its dials to honest nodes that failed (at the first start: nodes not yet listening). */
  readonly honestDialFailures: number[] = []
  /** Nodes stopped and not yet started again (a restart takes them down one after the other). */
  readonly #down = new Set<number>()
  /** Why the nodes' automatic outbound connections end. */
  readonly causes: CloseCauses
  /** Per node: connections rotated out, departed peers back in their slots, stand-ins closed for them, and simulated ms it has been up (closed runs so far). */
  readonly rotations: Array<{ rotated: number, returned: number, reclaimed: number, upMs: number }> = []
  readonly #upSince = new Map<number, number>()
  /** Resolved once every node of the first start listens: until then the nodes' dials wait (see start()). */
  readonly #networkUp: { promise: Promise<void>, resolve: () => void }

  constructor (components: { clock: Clock, random: Random }, init: { settings: NodeSettings, scenario: Scenario, port: number, dir: string, timing: NodeTiming, magicHex: string, restarting: readonly number[], listenBeforeDial: boolean }) {
    this.#c = components
    this.#settings = init.settings
    this.#scenario = init.scenario
    this.#port = init.port
    this.#dir = init.dir
    this.#timing = init.timing
    let open = (): void => {}
    const promise = new Promise<void>((resolve) => { open = resolve })
    this.#networkUp = { promise, resolve: open }
    // The control's dials race the start: nothing to wait for.
    if (!init.listenBeforeDial) open()
    mkdirSync(init.dir, { recursive: true })
    this.#chainparams = join(init.dir, 'eclipse-net.json')
    writeFileSync(this.#chainparams, JSON.stringify({
      name: 'eclipsenet', magic: init.magicHex, defaultPort: init.port, protocolVersion: 70016, dnsSeeds: [], allowLocalAddresses: true, requiredServices: []
    }))
    const attackerCount = Math.max(1, Math.round(init.scenario.honest * init.scenario.gossipFactor))
    const addresses: NetAddress[] = []
    for (let i = 0; i < attackerCount; i++) {
      const group = ATTACKER_BASE + (i % init.scenario.attackerGroups)
      const n = Math.floor(i / init.scenario.attackerGroups)
      addresses.push({ network: 'ipv4', host: `127.${group}.${Math.floor(n / 250)}.${(n % 250) + 1}`, port: init.port })
    }
    this.#hub = { host: `127.${ATTACKER_BASE}.0.1`, port: init.port }
    this.causes = new CloseCauses({
      isDown: (i) => this.#down.has(i),
      indexOf: (host) => { const j = Number(host.split('.')[1]) - HONEST_BASE; return isAttacker(host) || !(j >= 0 && j < this.nodes.length) ? undefined : j },
      restarts: (i) => init.restarting.includes(i),
      isAttacker
    })
    this.#attacker = new Attacker(components, { ...this.#hub, magic: Buffer.from(init.magicHex, 'hex'), addresses, pushIntervalMs: ATTACKER_PUSH_INTERVAL_MS })
  }

  get attacker (): Attacker { return this.#attacker }

  /**
   * Starts every honest node at once. With `listenBeforeDial` their dials wait until all of them listen:
   * the network is up when its nodes make their first picks, as a real one is when a node joins it.
   * Without it (a control, the simulation before session 6) the first dials race the other nodes' start,
   * fail on whoever is not listening yet, and leave those honest addresses marked as recently tried.
   */
  async start (): Promise<void> {
    await this.#attacker.start()
    for (let i = 0; i < this.#scenario.honest; i++) await this.#prefill(i)
    for (let i = 0; i < this.#scenario.honest; i++) this.nodes.push(this.#node(i))
    await Promise.all(this.nodes.map(async (n) => { await n.start() }))
    this.#networkUp.resolve()
  }

  /**
   * Restarts the honest nodes `which` on their data directories (cleanly, or as a crash), one after the
   * other, so each comes back into a running network, `downtimeMs` older: what it stored (address times,
   * attempts, successes) is moved that far into the past while it is down. Only the stopped node ages: a
   * shared clock jump would also age the running nodes' live connections past the 20-minute inactivity
   * rule, without the pings a real downtime carries.
   */
  async restart (which: readonly number[], how: 'clean' | 'crash', downtimeMs: number): Promise<void> {
    for (const i of which) {
      await this.#stop(i, how, downtimeMs)
      await this.#start(i)
    }
  }

  /**
   * The same, but every node of `which` is stopped before any starts again, and they start together: no
   * node's connection to another restarting node outlives its own restart (a control without honest
   * peers leaving during the round).
   */
  async restartTogether (which: readonly number[], how: 'clean' | 'crash', downtimeMs: number): Promise<void> {
    for (const i of which) await this.#stop(i, how, downtimeMs)
    await Promise.all(which.map(async (i) => { await this.#start(i) }))
  }

  async #stop (i: number, how: 'clean' | 'crash', downtimeMs: number): Promise<void> {
    this.#down.add(i)
    this.#countUptime(i)
    await stopNode(this.nodes[i] as Node, how)
    await ageStore(join(this.#dir, `node-${i}`), this.#c.clock, downtimeMs, how === 'crash' && this.#settings.anchorsAtCleanStopOnly === true)
  }

  async #start (i: number): Promise<void> {
    const node = this.#node(i)
    this.nodes[i] = node
    await node.start()
    this.#down.delete(i)
  }

  /** Starts one more honest node, fresh (a seeded book), while the attack goes on; returns its index. */
  async addFresh (): Promise<number> {
    const i = this.nodes.length
    await this.#prefill(i)
    const node = this.#node(i)
    this.nodes.push(node)
    await node.start()
    return i
  }

  /** Attacker share over every honest node's outbound slots (and over `only`, when given). */
  share (only?: readonly number[]): { attacker: number, total: number } {
    const sum = { attacker: 0, total: 0 }
    for (const [i, node] of this.nodes.entries()) {
      if (only !== undefined && !only.includes(i)) continue
      const s = outboundShare(node)
      sum.attacker += s.attacker
      sum.total += s.total
    }
    return sum
  }

  /** Of the other honest nodes, how many hold node `i`'s address in their book. */
  booksHolding (i: number): { holding: number, of: number } {
    const addr = honestAddr(i, this.#port)
    let holding = 0
    let of = 0
    for (const [j, node] of this.nodes.entries()) {
      if (j === i) continue
      of++
      if (node.book?.get(addr) !== undefined) holding++
    }
    return { holding, of }
  }

  /**
   * What node `i`'s book holds, by side: groups it knows (honest ones only while their node is up: the
   * best share any selection could give the attacker is attacker / (attacker + honestUp)), and the new
   * and tried buckets holding at least one address of each side (what Core's pick follows).
   */
  bookView (i: number): BookView {
    const book = this.nodes[i]?.book
    const groups = { attacker: new Set<string>(), honestUp: new Set<string>() }
    const buckets = { newAttacker: new Set<number>(), newHonest: new Set<number>(), triedAttacker: new Set<number>(), triedHonest: new Set<number>() }
    for (const record of book?.exportRecords() ?? []) {
      const attacker = isAttacker(record.addr.host)
      const group = book?.groupKey(record.addr) ?? ''
      const j = Number(record.addr.host.split('.')[1]) - HONEST_BASE
      if (attacker) groups.attacker.add(group)
      else if (j !== i && this.nodes[j] !== undefined && !this.#down.has(j)) groups.honestUp.add(group)
      if (record.tried && record.triedPos !== null) (attacker ? buckets.triedAttacker : buckets.triedHonest).add(Math.floor(record.triedPos / BUCKET_SIZE))
      for (const pos of record.newRefs) (attacker ? buckets.newAttacker : buckets.newHonest).add(Math.floor(pos / BUCKET_SIZE))
    }
    return {
      attackerGroups: groups.attacker.size,
      honestGroupsUp: groups.honestUp.size,
      newBuckets: { attacker: buckets.newAttacker.size, honest: buckets.newHonest.size },
      triedBuckets: { attacker: buckets.triedAttacker.size, honest: buckets.triedHonest.size }
    }
  }

  /** Adds node i's time up since its start to its rotation record. */
  #countUptime (i: number): void {
    const since = this.#upSince.get(i)
    this.#upSince.delete(i)
    const r = this.rotations[i]
    if (since !== undefined && r !== undefined) r.upMs += this.#c.clock.now() - since
  }

  /** Brings every running node's up time in the rotation records to now. */
  countUptimeNow (): void {
    for (const i of [...this.#upSince.keys()]) {
      this.#countUptime(i)
      this.#upSince.set(i, this.#c.clock.now())
    }
  }

  async close (): Promise<void> {
    this.causes.close()
    await Promise.all(this.nodes.map(async (n) => { await n.stop() }))
    await this.#attacker.close()
    await rm(this.#dir, { recursive: true, force: true })
  }

  #options (i: number): RunOptions {
    const s = this.#settings
    return {
      chainparams: this.#chainparams,
      datadir: join(this.#dir, `node-${i}`),
      nodnsseed: true,
      norpc: true,
      listen: [`127.${HONEST_BASE + i}.0.1:${this.#port}`],
      blockrelayonly: s.blockRelayOnly,
      ...(s.feelers ? {} : { nofeelers: true }),
      ...(s.asmap === undefined ? {} : { asmap: s.asmap }),
      ...(s.selection === undefined ? {} : { selection: s.selection }),
      ...(s.rotation === undefined ? {} : { rotation: s.rotation }),
      ...(s.returnWindow === undefined ? {} : { returnwindow: s.returnWindow })
    }
  }

  /**
   * Node i's dialer: TCP from its own address (else every node would dial from 127.0.0.1, one IP and one
   * group to every peer's inbound limits), with every attacker address routed to the attacker's listener.
   */
  #dialer (i: number): Dialer {
    const tcp = new TcpDialer({ clock: this.#c.clock }, { connectTimeoutMs: this.#timing.connectTimeoutMs ?? 5_000, localAddress: honestAddr(i, this.#port).host })
    return {
      dial: async (addr, options) => {
        await this.#networkUp.promise
        return await tcp.dial(isAttacker(addr.host) ? { ...addr, ...this.#hub } : addr, options)
      }
    }
  }

  #node (i: number): Node {
    const config = buildNodeConfig(this.#options(i))
    const outbound = { ...config.outbound, rotateBlockRelay: this.#settings.rotateBlockRelay === true }
    const { rotationTiming: rotation, recentTryMs } = this.#settings
    const timing = { ...this.#timing, ...(rotation === undefined ? {} : { rotation }), ...(recentTryMs === undefined ? {} : { recentTryMs }) }
    const node = createNode({ ...config, outbound }, { clock: this.#c.clock, random: this.#c.random, dialer: this.#dialer(i), timing })
    this.causes.attach(i, node, honestAddr(i, this.#port).host)
    this.honestDialFailures[i] ??= 0
    node.events.on('dial_failed', (p) => {
      if (p.addr !== undefined && !isAttacker(hostOf(p.addr))) this.honestDialFailures[i] = (this.honestDialFailures[i] ?? 0) + 1
    })
    const rotations = this.rotations[i] ??= { rotated: 0, returned: 0, reclaimed: 0, upMs: 0 }
    node.events.on('node_started', () => { this.#upSince.set(i, this.#c.clock.now()) })
    node.events.on('outbound_disconnected', (p) => {
      if (p.reason === 'rotated') rotations.rotated++
      if (p.reason === 'reclaimed') rotations.reclaimed++
    })
    const counts = this.picks[i] ??= { fullRelay: { attacker: 0, honest: 0 }, blockRelay: { attacker: 0, honest: 0 } }
    node.events.on('outbound_connected', (p) => {
      // A departed peer back in its slot is no pick: what the picks gave is counted apart from returns.
      if (p.returning === true) rotations.returned++
      if (p.permanent || p.addr === undefined || p.returning === true) return
      const side = p.kind === 'block-relay-only' ? counts.blockRelay : counts.fullRelay
      if (isAttacker(hostOf(p.addr))) side.attacker++
      else side.honest++
    })
    return node
  }

  /**
   * A data directory whose book holds every honest node's address (what the DNS seeds of a network this
   * small would give) and one attacker address: the node has heard of the attacker once.
   */
  async #prefill (i: number): Promise<void> {
    const { clock, random } = this.#c
    const book = new AddrBook({ clock, random, logger: nullLogger }, { allowLocal: true })
    const time = unixSeconds(clock) - 3600
    const seed = { network: 'ipv4' as const, host: '127.1.0.1', port: this.#port }
    for (let j = 0; j < this.#scenario.honest; j++) {
      if (j !== i) book.add([{ addr: honestAddr(j, this.#port), services: 1n, time }], seed)
    }
    const first = random.int(this.#scenario.attackerGroups)
    const groups = this.#settings.knowsEveryAttackerGroup === true ? Array.from({ length: this.#scenario.attackerGroups }, (_, g) => g) : [first]
    for (const g of groups) {
      const attacker = { network: 'ipv4' as const, host: `127.${ATTACKER_BASE + g}.0.1`, port: this.#port }
      book.add([{ addr: attacker, services: 1n, time }], attacker)
    }
    const store = await NodeStore.open(join(this.#dir, `node-${i}`), { clock })
    try {
      await store.saveAddrBookKey(book.key)
      await store.writeAddrChanges({ put: book.exportRecords(), del: [] })
    } finally {
      await store.close()
    }
  }
}

/** A clean stop, or a crash: the store takes no more writes (no final flush, no anchors), then teardown. */
async function stopNode (node: Node, how: 'clean' | 'crash'): Promise<void> {
  const store = node.parts?.store
  if (how === 'crash' && store !== undefined) {
    store.writeAddrChanges = async () => {}
    store.saveAnchors = async () => {}
  }
  await node.stop()
}
