import { addrKey, type NetAddress } from '../../src/netaddr/netaddress.ts'
import type { SimPeerSpec, SimProfile } from '../../src/sim/profiles.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { NODE_P2P_V2 } from '../../src/wire/services.ts'
import { floor } from '../lib/floor.ts'
import { prefilledDataDir, probedNode, removeDataDir, simRunOptions } from '../lib/local-node.ts'
import { shuffledSpecs } from '../lib/sim-specs.ts'
import type { BenchResult, Suite, Timeline } from '../lib/result.ts'
import { nowMs, repeat, sleep, summarize } from '../lib/stats.ts'

const TARGET_OUTBOUND = 8
const LIVE_BOOK = 200
/** Issue 7's hostile book: 1,000 addresses, half refusing, a quarter silent, a fifth live, 5 % misbehaving. */
const HOSTILE_BOOK: Partial<Record<SimProfile, number>> = { refusing: 500, silent: 250, live: 200, misbehaving: 50 }
/** The default handshake timeout: a round that has not reached the target by then has failed outright. */
const ROUND_TIMEOUT_MS = 20_000
const COLD_LIVE = { rounds: 15, budgetMs: 8_000 }
const COLD_HOSTILE = { rounds: 10, budgetMs: 30_000 }
/** What prefilledDataDir records by default (NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED), plus NODE_P2P_V2. */
const BOOK_SERVICES_V2 = 1033n | NODE_P2P_V2
const REFILL = { rounds: 25, budgetMs: 5_000, vanishing: 4 }
/** Let the previous round's sockets finish closing before the next one starts. */
const SETTLE_MS = 50

interface ColdRound {
  readonly ms: number
  readonly startMs: number
  readonly dials: number
  readonly kept: number
  /** false: the target was not reached within ROUND_TIMEOUT_MS (the sample is censored at that value). */
  readonly reached: boolean
  readonly timeline: Timeline
}

/** Node start (store open, book load, manager start) → 8 handshaken automatic outbound peers. */
async function coldStart (sim: SimNetwork, book: readonly NetAddress[], round: number, profile: string, services: bigint | undefined): Promise<ColdRound> {
  const { datadir, kept } = await prefilledDataDir(book, round + 1, services)
  const { node, probe } = probedNode(simRunOptions(sim.port, datadir, { targetoutbound: TARGET_OUTBOUND }))
  try {
    const t0 = probe.mark()
    await node.start()
    const startMs = nowMs() - t0
    let dials = 0
    const reachedAt = await probe.until(`${profile}: ${TARGET_OUTBOUND} outbound`, () => {
      dials = probe.dialCount
      return probe.outbound >= TARGET_OUTBOUND
    }, ROUND_TIMEOUT_MS - startMs).catch(() => undefined)
    const ms = reachedAt === undefined ? ROUND_TIMEOUT_MS : reachedAt - t0
    return { ms, startMs, dials, kept, reached: reachedAt !== undefined, timeline: probe.timeline(profile, TARGET_OUTBOUND) }
  } finally {
    await node.stop()
    await removeDataDir(datadir)
    await sleep(SETTLE_MS)
  }
}

function medianRound<T extends { ms: number }> (rounds: readonly T[]): T {
  const sorted = [...rounds].sort((a, b) => a.ms - b.ms)
  return sorted[Math.floor((sorted.length - 1) / 2)] as T
}

async function coldStartRows (label: string, profile: string, specs: SimPeerSpec[] | Partial<Record<SimProfile, number>>, plan: { rounds: number, budgetMs: number },
  floorMs: number, goal: string, report: (r: BenchResult) => void, timeline: (t: Timeline) => void, v2 = false): Promise<void> {
  // v2: every sim peer speaks BIP324 and the book says so (NODE_P2P_V2), so the node dials each with v2.
  const sim = await startSimNetwork({ peers: specs, port: 0, seed: 7, v2 })
  const services = v2 ? BOOK_SERVICES_V2 : undefined
  try {
    const book = sim.addresses()
    const rounds: ColdRound[] = []
    await repeat(plan.rounds, plan.budgetMs, async (round) => {
      const r = await coldStart(sim, book, round, profile, services)
      rounds.push(r)
      return r.ms
    })
    const time = summarize(rounds.map((r) => r.ms))
    const dials = summarize(rounds.map((r) => r.dials))
    report({
      name: `2${label} cold start → ${TARGET_OUTBOUND} outbound (${profile})`,
      unit: 'ms',
      summary: time,
      floor: floorMs,
      extra: { dialsMedian: dials.median, dialsP99: dials.p99, storeOpenMs: summarize(rounds.map((r) => r.startMs)).median.toFixed(1), afterOpenMs: summarize(rounds.map((r) => r.ms - r.startMs)).median.toFixed(1), bookSize: summarize(rounds.map((r) => r.kept)).median, notReached: rounds.filter((r) => !r.reached).length, goal }
    })
    timeline(medianRound(rounds).timeline)
  } finally {
    await sim.close()
  }
}

/** With 8 outbound up, 4 of their hosts go down at once → time until 8 handshaken again. */
async function refillRows (floorMs: number, report: (r: BenchResult) => void, timeline: (t: Timeline) => void): Promise<void> {
  const sim = await startSimNetwork({ peers: { live: LIVE_BOOK }, port: 0, seed: 11 })
  const { datadir } = await prefilledDataDir(sim.addresses(), 99)
  const { node, probe } = probedNode(simRunOptions(sim.port, datadir, { targetoutbound: TARGET_OUTBOUND }))
  const index = new Map(sim.peers.map((p) => [addrKey(p.addr), p.index]))
  const rounds: Array<{ ms: number, dials: number, timeline: Timeline }> = []
  try {
    await node.start()
    await probe.until('refill: initial target', () => probe.outbound >= TARGET_OUTBOUND, ROUND_TIMEOUT_MS)
    await repeat(REFILL.rounds, REFILL.budgetMs, async () => {
      const victims = [...probe.connected].slice(0, REFILL.vanishing).map((key) => index.get(key) as number)
      const lostBefore = probe.lost
      let dials = 0
      const t0 = probe.mark()
      await Promise.all(victims.map(async (i) => { await sim.stopPeer(i) }))
      const at = await probe.until('refill: back to target', () => {
        dials = probe.dialCount
        return probe.lost - lostBefore >= REFILL.vanishing && probe.outbound >= TARGET_OUTBOUND
      }, ROUND_TIMEOUT_MS)
      rounds.push({ ms: at - t0, dials, timeline: probe.timeline('refill', TARGET_OUTBOUND) })
      await Promise.all(victims.map(async (i) => { await sim.restartPeer(i) }))
      await sleep(SETTLE_MS)
      return at - t0
    })
  } finally {
    await node.stop()
    await sim.close()
    await removeDataDir(datadir)
  }
  report({
    name: `3 refill: ${REFILL.vanishing} of ${TARGET_OUTBOUND} vanish → ${TARGET_OUTBOUND} again`,
    unit: 'ms',
    summary: summarize(rounds.map((r) => r.ms)),
    floor: floorMs,
    extra: { dialsMedian: summarize(rounds.map((r) => r.dials)).median, goal: 'tens of ms (bcoin 3 s, Core 500 ms per dial)' }
  })
  timeline(medianRound(rounds).timeline)
}

/** Measurements 2 (cold start, live and hostile books) and 3 (refill), against the floor of measurement 1. */
export const outboundSuite: Suite = {
  name: 'outbound',
  async run (report, timeline) {
    const floorMs = (await floor(report)).median
    await coldStartRows('a', 'live-200', { live: LIVE_BOOK }, COLD_LIVE, floorMs, 'within a few floors', report, timeline)
    await coldStartRows('b', 'hostile-1000', shuffledSpecs(HOSTILE_BOOK, 5), COLD_HOSTILE, floorMs, `well under one handshake timeout (${ROUND_TIMEOUT_MS} ms)`, report, timeline)
    await coldStartRows('c', 'live-200, v2', { live: LIVE_BOOK }, COLD_LIVE, floorMs, 'v2: within a few v2 handshake floors', report, timeline, true)
    await coldStartRows('d', 'hostile-1000, v2', shuffledSpecs(HOSTILE_BOOK, 5), COLD_HOSTILE, floorMs, 'v2: as 2b', report, timeline, true)
    await refillRows(floorMs, report, timeline)
  }
}
