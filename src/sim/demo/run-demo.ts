import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_BAN_DURATION_MS } from '../../banlist/ban-list.ts'
import type { ChainParams } from '../../chainparams/chainparams.ts'
import { DEFAULT_DEBUG_LEVEL } from '../../log/levels.ts'
import { DEFAULT_LOG_FORMAT } from '../../log/winston.ts'
import type { NodeConfig } from '../../node/config.ts'
import { DEFAULT_INBOUND_LIMITS } from '../../admission/inbound-limits.ts'
import { DEFAULT_MAX_PEERS, peerLimits } from '../../node/limits.ts'
import { DEFAULT_BAN_THRESHOLD } from '../../peer/constants.ts'
import { createNode, type Node } from '../../node/node.ts'
import { formatStatus } from '../../node/status.ts'
import { nullLogger, type LoggerFactory } from '../../log/logger.ts'
import { addrKey, type HostPort } from '../../netaddr/netaddress.ts'
import { StatusServer } from '../../status/server.ts'
import { systemClock, type Clock } from '../../util/clock.ts'
import { startDnsSeedServer, type DnsSeedServer } from '../dns-seed-server.ts'
import type { SimPeerSpec } from '../profiles.ts'
import { startSimNetwork, type SimNetwork } from '../sim-network.ts'
import { tapNodeEvents } from './event-tap.ts'
import { DemoStory, type DemoFact } from './story.ts'

export interface DemoOptions {
  /** Seeds the simulated network's choices. @default 1 */
  readonly seed?: number
  /** Receives the node's full log as well (the CLI's --verbose). */
  readonly inner?: LoggerFactory
  /** Where the story goes, line by line. */
  out(line: string): void
  /** Serve the live status page here during the run (port 0: any free port; the URL is printed). */
  readonly statusListen?: HostPort
  /** Keep the network, the node and the page up this long after the story, for a person to watch. */
  readonly lingerMs?: number
  /** Ends the linger early (the CLI's Ctrl-C); everything is still torn down cleanly. */
  readonly signal?: AbortSignal
}

export interface DemoResult {
  /** The steps the demo waited for and did not see (empty when the demo worked). */
  readonly missing: readonly string[]
}

/**
 * The cast: index 0 is the permanent peer; `seeded` peers are what the DNS seed answers, the rest the node
 * learns from gossip. Exactly the target's worth of honest automatic peers (7 live, 1 slow): to fill its
 * slots again after one vanishes, the node must try what is left, the misbehaving peer included.
 */
const CAST: ReadonlyArray<{ readonly spec: SimPeerSpec, readonly seeded: boolean }> = [
  { spec: { profile: 'live' }, seeded: false },
  ...Array.from({ length: 7 }, (_, i) => ({ spec: { profile: 'live' } as const, seeded: i < 4 })),
  { spec: { profile: 'slow', handshakeDelayMs: 300 }, seeded: false },
  { spec: { profile: 'misbehaving', misbehaviour: 'oversized' }, seeded: true },
  ...Array.from({ length: 3 }, (_, i) => ({ spec: { profile: 'refusing' } as const, seeded: i < 2 })),
  ...Array.from({ length: 2 }, (_, i) => ({ spec: { profile: 'silent' } as const, seeded: i < 1 }))
]
const PERMANENT_INDEX = 0
/** .test is reserved for testing (RFC 2606): only the loopback DNS server ever answers it. */
const DNS_SEED_HOST = 'seed.demo.peerkeeper.test'
const TARGET_OUTBOUND = 8
/** Regtest's magic: the demo network is regtest-like. */
const DEMO_MAGIC_HEX = 'fabfb5da'
/** Short timings so the story takes seconds: a 1 s first retry and a 3 s handshake timeout for silent peers. */
const RETRY_DURATION_MS = 1_000
const HANDSHAKE_TIMEOUT_MS = 3_000
/** How long the permanent peer's host stays down: long enough for a retry to fail against it. */
const PERMANENT_DOWNTIME_MS = 1_500
/** Each beat must happen within this, or the demo reports what is missing and fails. */
const BEAT_TIMEOUT_MS = 10_000
/** How long the story gives the node to fill a slot again (a courtesy wait, never a failure). */
const REFILL_WAIT_MS = 5_000
/** The demo's chart gets a point every 5 s: a demo lasts minutes, not the hour the default 10 s suits. */
const DEMO_TIMELINE_SAMPLE_MS = 5_000

/**
 * What `peerkeeper run --chainparams <demo network> --addpeer <permanent> --dnsserver <dns>
 * --targetoutbound 8 --nolisten --datadir <datadir>` would build, with every other setting at its default.
 */
function demoConfig (port: number, permanent: HostPort, dnsServer: HostPort, datadir: string): NodeConfig {
  const params: ChainParams = {
    name: 'demo',
    magic: Buffer.from(DEMO_MAGIC_HEX, 'hex'),
    defaultPort: port,
    protocolVersion: 70016,
    dnsSeeds: [{ host: DNS_SEED_HOST, hasFiltering: false }],
    allowLocalAddresses: true
  }
  const limits = peerLimits({ maxPeers: DEFAULT_MAX_PEERS, permanent: 1, automatic: true, targetOutbound: TARGET_OUTBOUND })
  return {
    params,
    datadir,
    outbound: { targetOutbound: limits.targetOutbound, permanentPeers: [{ host: permanent.host, port: permanent.port }], connectOnly: false, blockRelayOnly: 0, feelers: false, onlyNets: [] },
    inbound: { listen: [], maxInbound: limits.maxInbound },
    maxPeers: DEFAULT_MAX_PEERS,
    seeding: { dnsSeed: true, seedNodes: [] },
    names: { dnsServers: [{ host: dnsServer.host, port: dnsServer.port }] },
    transport: {},
    sessions: { v2Transport: true },
    banning: { enabled: true, threshold: DEFAULT_BAN_THRESHOLD, durationMs: DEFAULT_BAN_DURATION_MS },
    admission: { limits: DEFAULT_INBOUND_LIMITS, whitelist: [], deny: [] },
    logging: { debugLevel: DEFAULT_DEBUG_LEVEL, format: DEFAULT_LOG_FORMAT, file: undefined }
  }
}

/**
 * `peerkeeper demo`: the real node (createNode, as `peerkeeper run` builds it) against a simulated network
 * on 127.0.0.0/8 and a DNS seed on loopback, with a temporary data directory. It seeds from DNS, fills its
 * outbound slots, bans the misbehaving peer, loses its permanent peer (the demo stops that host) and gets it
 * back with a retry; the story of it goes to `out`. Everything is torn down before it returns.
 */
export async function runDemo (options: DemoOptions, clock: Clock = systemClock): Promise<DemoResult> {
  const { out } = options
  const startMs = clock.now()
  const dir = await mkdtemp(join(tmpdir(), 'peerkeeper-demo-'))
  let sim: SimNetwork | undefined
  let dns: DnsSeedServer | undefined
  let node: Node | undefined
  let page: StatusServer | undefined
  const missing: string[] = []
  try {
    sim = await startSimNetwork({ peers: CAST.map((c) => c.spec), port: 0, seed: options.seed ?? 1 }, { clock })
    const peers = sim.peers
    const roles = new Map(peers.map((p) => [addrKey(p.addr), p.index === PERMANENT_INDEX ? 'permanent' : p.profile]))
    const permanent = addrKey(sim.peer(PERMANENT_INDEX).addr)
    dns = await startDnsSeedServer({ records: { [DNS_SEED_HOST]: { a: peers.filter((p) => CAST[p.index]?.seeded === true).map((p) => p.addr.host) } } })

    const config = demoConfig(sim.port, sim.peer(PERMANENT_INDEX).addr, dns, join(dir, 'data'))

    const story = new DemoStory({ targetOutbound: TARGET_OUTBOUND, permanent, role: (key) => roles.get(key) }, startMs)
    const facts = new FactWaiter(clock)
    let narrating = true

    const count = (profile: string): number => peers.filter((p) => p.profile === profile).length
    out('peerkeeper demo: the real node against a simulated Bitcoin network on 127.0.0.0/8 (nothing leaves this machine)')
    out(`  simulated peers: ${count('live')} live (one is the permanent --addpeer peer), ${count('slow')} slow, ${count('refusing')} refusing, ` +
      `${count('silent')} silent, ${count('misbehaving')} misbehaving; each on its own 127.x.0.1, port ${sim.port}`)
    out(`  DNS seed ${DNS_SEED_HOST} on ${dns.host}:${dns.port} (dns2) answers ${CAST.filter((c) => c.seeded).length} of them; live peers gossip the rest`)
    out(`  node: target ${TARGET_OUTBOUND} outbound, --addpeer ${permanent}, --dnsserver ${dns.host}:${dns.port}, datadir ${config.datadir}`)
    out('')

    node = createNode(config, {
      clock,
      ...(options.inner === undefined ? {} : { logging: options.inner }),
      timing: { retryDurationMs: RETRY_DURATION_MS, peerTimeouts: { handshakeMs: HANDSHAKE_TIMEOUT_MS } }
    })
    tapNodeEvents(node.events, clock, (record) => {
      const lines = story.observe(record)
      if (narrating) for (const line of lines) out(line)
      facts.check()
    })
    if (options.statusListen !== undefined) {
      page = new StatusServer({ clock, logger: nullLogger, node }, { listen: [options.statusListen], sampleIntervalMs: DEMO_TIMELINE_SAMPLE_MS })
      await page.start()
      out(`  status page: ${page.url()} (live while the demo runs${(options.lingerMs ?? 0) > 0 ? ` and ${(options.lingerMs ?? 0) / 1000} s after` : ''})`)
      out('')
    }
    await node.start()
    const note = (text: string): void => { out(story.note(clock.now(), text)) }
    const beat = async (what: string, happened: () => boolean): Promise<boolean> => {
      const seen = await facts.until(happened, BEAT_TIMEOUT_MS)
      if (!seen) missing.push(what)
      return seen
    }
    const fact = (f: DemoFact) => () => story.facts.has(f)
    const full = (): boolean => story.outbound >= TARGET_OUTBOUND
    if (await beat('DNS seeding', fact('seeded')) && await beat('target reached', fact('target-reached'))) {
      // An honest outbound peer vanishes: refilling its slot leads the node to the misbehaving peer.
      const vanishing = peers.find((p) => p.profile === 'live' && p.index !== PERMANENT_INDEX && sim?.stats(p.index).openConnections === 1)
      if (vanishing !== undefined) {
        const key = addrKey(vanishing.addr)
        note(`outbound peer ${key} goes down`)
        await sim.stopPeer(vanishing.index)
        await facts.until(() => !full(), BEAT_TIMEOUT_MS)
        await beat('misbehaving peer banned', fact('banned'))
        note(`${key} is back`)
        await sim.restartPeer(vanishing.index)
        // Not a required step: how soon the node retries an address that just failed is its own policy.
        await facts.until(full, REFILL_WAIT_MS)
      }
      note(`stopping the permanent peer's host ${permanent}`)
      await sim.stopPeer(PERMANENT_INDEX)
      if (await beat('permanent peer retried', fact('permanent-retry'))) {
        await facts.sleep(PERMANENT_DOWNTIME_MS)
        note(`the permanent peer's host ${permanent} is back`)
        await sim.restartPeer(PERMANENT_INDEX)
        await beat('permanent peer reconnected', fact('permanent-reconnected'))
      }
    }
    if (!missing.includes('misbehaving peer banned')) await beat('misbehaving peer banned', fact('banned'))
    if (story.facts.has('target-reached')) await facts.until(full, REFILL_WAIT_MS)
    narrating = false
    const status = node.status()
    out('')
    if (status !== undefined) out(`final status: ${formatStatus(status)}`)
    out(`  ${story.failedDialSummary()}; simulated peers completed ${sim.totals().handshakes} handshakes`)
    if ((options.lingerMs ?? 0) > 0 && options.signal?.aborted !== true) {
      out(`lingering ${(options.lingerMs ?? 0) / 1000} s with the network up${page === undefined ? '' : ` (status page ${page.url()})`}; Ctrl-C ends it`)
      await facts.sleep(options.lingerMs ?? 0, options.signal)
    }
  } finally {
    await page?.close()
    await node?.stop()
    await sim?.close()
    await dns?.close()
    await rm(dir, { recursive: true, force: true })
  }
  return { missing }
}

/** Resolves waits for conditions on the story, re-checked as records arrive, each bounded on the clock. */
class FactWaiter {
  private readonly clock: Clock
  private readonly waiting = new Set<{ happened: () => boolean, resolve: (seen: boolean) => void }>()

  constructor (clock: Clock) {
    this.clock = clock
  }

  check (): void {
    for (const w of this.waiting) {
      if (w.happened()) {
        this.waiting.delete(w)
        w.resolve(true)
      }
    }
  }

  async until (happened: () => boolean, timeoutMs: number): Promise<boolean> {
    if (happened()) return true
    return await new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.waiting.delete(entry)
        resolve(false)
      }, timeoutMs)
      const entry = { happened, resolve: (seen: boolean) => { this.clock.clearTimeout(timer); resolve(seen) } }
      this.waiting.add(entry)
    })
  }

  /** Waits `ms`, or less if `signal` aborts. */
  async sleep (ms: number, signal?: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(done, ms)
      function done (): void {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => { this.clock.clearTimeout(timer); done() }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}
