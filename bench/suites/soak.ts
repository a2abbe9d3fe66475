import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadChainParams, type ChainParams } from '../../src/chainparams/chainparams.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom, systemRandom, type Random } from '../../src/util/random.ts'
import { refusedPort } from '../../test/helpers/loopback-listener.ts'
import { sourceHost } from '../lib/flood.ts'
import { prefilledDataDir, removeDataDir, simRunOptions } from '../lib/local-node.ts'
import { NodeChild } from '../lib/node-child.ts'
import type { HostUsage } from '../lib/node-host.ts'
import type { Suite } from '../lib/result.ts'
import { sleep, summarize } from '../lib/stats.ts'
import { seriesSvg } from '../lib/svg.ts'

/** How long the soak runs; PK_SOAK_MINUTES shortens it (the issue asks for 30 minutes). */
const DEFAULT_MINUTES = 30
const MINUTES_ENV = 'PK_SOAK_MINUTES'
/** One sample a minute, as the issue asks; PK_SOAK_SAMPLE_S makes a short trial run show a curve too. */
const DEFAULT_SAMPLE_S = 60
const SAMPLE_ENV = 'PK_SOAK_SAMPLE_S'
const TARGET_OUTBOUND = 8
/** Inbound clients alive at once: enough that accept, handshake and teardown run all the time. */
const INBOUND_AT_ONCE = 24
/** Each inbound client stays this long (uniform), then hangs up and another takes its place. */
const INBOUND_LIFETIME_MS: readonly [number, number] = [2_000, 20_000]
/** Every this often one live sim peer goes away and one that went away comes back. */
const PEER_CHURN_MS = 3_000
/** Bans expire, so misbehaving peers are met (and banned) again and the ban list keeps changing. */
const BAN_DURATION = '2m'
const SEED = 23
const TARGET_TIMEOUT_MS = 30_000
/** A client that cannot connect or handshake waits this long before trying again. */
const RETRY_MS = 500

// dist/bench/suites/ → the repository's bench/results/, beside latest.json.
const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'results')

interface SoakSample {
  readonly minute: number
  readonly rssMB: number
  readonly heapMB: number
  readonly handles: number
  readonly timers: number
  readonly outbound: number
  readonly inbound: number
}

function envNumber (name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: "${text}" is not a positive number`)
  return value
}

/** Active libuv handles and timers of the node's process, from process.getActiveResourcesInfo. */
function resourceCounts (usage: HostUsage): { handles: number, timers: number } {
  let timers = 0
  let handles = 0
  for (const [kind, n] of Object.entries(usage.resources)) {
    if (kind === 'Timeout' || kind === 'Immediate') timers += n
    else handles += n
  }
  return { handles, timers }
}

/** Inbound churn: INBOUND_AT_ONCE clients, each handshaking, holding a while and hanging up, then replaced. */
async function inboundChurn (port: number, params: ChainParams, random: Random, until: () => boolean): Promise<number> {
  let n = 0
  const slot = async (): Promise<void> => {
    while (!until()) {
      const i = n++
      const socket = connect({ host: '127.0.0.1', port, localAddress: sourceHost(i % 20_000) })
      try {
        await once(socket, 'connect')
        const peer = new Peer(socket, { clock: systemClock, random: systemRandom, logger: nullLogger }, {
          id: i + 1, direction: 'outbound', addr: { network: 'ipv4', host: '127.0.0.1', port }, params, nonces: new NonceRegistry(systemRandom), requiredServices: 0n
        })
        await peer.handshake()
        const [min, max] = INBOUND_LIFETIME_MS
        await sleep(min + random.float() * (max - min))
        peer.close('soak: client leaves')
      } catch {
        socket.destroy()
        await sleep(RETRY_MS)
      }
    }
  }
  await Promise.all(Array.from({ length: INBOUND_AT_ONCE }, slot))
  return n
}

/** Peers coming and going: every PEER_CHURN_MS one listening peer stops and a stopped one comes back. */
async function peerChurn (sim: SimNetwork, random: Random, until: () => boolean): Promise<number> {
  const down: number[] = []
  const live = sim.peers.filter((p) => p.profile === 'live' || p.profile === 'misbehaving' || p.profile === 'flapping').map((p) => p.index)
  let changes = 0
  while (!until()) {
    await sleep(PEER_CHURN_MS)
    const up = live.filter((i) => !down.includes(i))
    const victim = up[Math.floor(random.float() * up.length)]
    if (victim !== undefined) {
      await sim.stopPeer(victim)
      down.push(victim)
    }
    // Keep about a tenth of them away at any time.
    if (down.length > live.length / 10) await sim.restartPeer(down.shift() ?? 0)
    changes++
  }
  return changes
}

/** Least-squares slope of y over x. */
function slope (xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length
  if (n < 2) return NaN
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my)
    den += ((xs[i] ?? 0) - mx) ** 2
  }
  return den === 0 ? NaN : num / den
}

/**
 * Soak (issue 13): the node in its own process for PK_SOAK_MINUTES (30) against a churning simulated
 * network — peers stopping and coming back, flapping and misbehaving peers, short bans that expire, and
 * inbound clients arriving and leaving all the time — with RSS, heap (after a full GC), active handles
 * and timers sampled each minute. Reports the RSS slope over the first and the second half, and writes
 * bench/results/soak.svg and soak.json. Not in the default `npm run bench`: run `npm run bench -- soak`.
 */
export const soakSuite: Suite = {
  name: 'soak',
  async run (report) {
    const minutes = envNumber(MINUTES_ENV, DEFAULT_MINUTES)
    const sampleMs = envNumber(SAMPLE_ENV, DEFAULT_SAMPLE_S) * 1000
    const random = seededRandom(SEED)
    const sim = await startSimNetwork({ peers: { live: 60, flapping: 20, misbehaving: 8, refusing: 10, slow: 6 }, port: 0, seed: SEED })
    const { datadir } = await prefilledDataDir(sim.addresses(), SEED)
    const port = await refusedPort()
    const options = simRunOptions(sim.port, datadir, { targetoutbound: TARGET_OUTBOUND, listen: [`127.0.0.1:${port}`], nolisten: false, banduration: BAN_DURATION })
    const params = loadChainParams(options.chainparams as string)
    const samples: SoakSample[] = []
    const endAt = Date.now() + minutes * 60_000
    const over = (): boolean => Date.now() >= endAt
    let node: NodeChild | undefined
    try {
      node = await NodeChild.start(options, {}, { exposeGc: true })
      await node.waitOutbound(TARGET_OUTBOUND, TARGET_TIMEOUT_MS)
      const startedAt = Date.now()
      const churn = Promise.all([inboundChurn(port, params, random, over), peerChurn(sim, random, over)])
      const take = async (): Promise<void> => {
        const usage = await (node as NodeChild).usage()
        const status = await (node as NodeChild).status()
        const sample = {
          minute: (Date.now() - startedAt) / 60_000,
          rssMB: usage.rssBytes / 2 ** 20,
          heapMB: usage.heapUsedBytes / 2 ** 20,
          ...resourceCounts(usage),
          outbound: status?.outbound ?? 0,
          inbound: status?.inbound ?? 0
        }
        samples.push(sample)
        process.stdout.write(`soak: ${sample.minute.toFixed(1)} min rss ${sample.rssMB.toFixed(1)} MB heap ${sample.heapMB.toFixed(1)} MB handles ${sample.handles} timers ${sample.timers} outbound ${sample.outbound} inbound ${sample.inbound} load ${loadavg()[0]?.toFixed(2) ?? '?'}\n`)
      }
      await take()
      while (!over()) {
        await sleep(Math.min(sampleMs, Math.max(0, endAt - Date.now())))
        await take()
      }
      const [inboundClients, peerChanges] = await churn
      const half = Math.floor(samples.length / 2)
      const slopeOf = (part: SoakSample[], key: 'rssMB' | 'heapMB'): number => slope(part.map((s) => s.minute), part.map((s) => s[key]))
      const first = samples.slice(0, half + 1)
      const second = samples.slice(half)
      report({
        name: `soak: RSS over ${minutes} min of churn`,
        unit: 'MB',
        summary: summarize(samples.map((s) => s.rssMB)),
        extra: {
          firstHalfMBPerMin: slopeOf(first, 'rssMB').toFixed(3),
          secondHalfMBPerMin: slopeOf(second, 'rssMB').toFixed(3),
          heapSecondHalfMBPerMin: slopeOf(second, 'heapMB').toFixed(3),
          inboundClients,
          peerChanges
        }
      })
      report({ name: 'soak: active handles (sockets, servers)', unit: 'count', summary: summarize(samples.map((s) => s.handles)) })
      report({ name: 'soak: active timers', unit: 'count', summary: summarize(samples.map((s) => s.timers)) })
      mkdirSync(RESULTS_DIR, { recursive: true })
      writeFileSync(join(RESULTS_DIR, 'soak.json'), `${JSON.stringify({ date: new Date(startedAt).toISOString(), minutes, loadAverageAtEnd: loadavg(), inboundClients, peerChanges, samples }, null, 2)}\n`)
      writeFileSync(join(RESULTS_DIR, 'soak.svg'), seriesSvg({
        title: `soak: node RSS and heap over ${minutes} min of churn (MB)`,
        xLabel: 'minutes',
        series: [
          { name: 'RSS', points: samples.map((s) => [s.minute, s.rssMB]) },
          { name: 'heap used (after GC)', points: samples.map((s) => [s.minute, s.heapMB]) }
        ]
      }))
    } finally {
      await node?.stop()
      await sim.close()
      await removeDataDir(datadir)
    }
  }
}
