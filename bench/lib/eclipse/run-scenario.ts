import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Node, NodeTiming } from '../../../src/node/node.ts'
import { seededRandom } from '../../../src/util/random.ts'
import { sleep } from '../stats.ts'
import { EclipseNetwork, outboundShare, type NodeSettings, type PickCounts, type Scenario } from './network.ts'
import { scaledClock } from './scaled-clock.ts'
import { watchSpread, type SpreadMinutes } from './spread.ts'

/** Simulated time runs this much faster than real time (feelers every 6 s real, an hour in 3 min). */
export const TIME_FACTOR = 20
/** Real-time timeouts stay generous on a loaded machine: handshake 10 s, connect 5 s (in simulated ms). */
const TIMING: NodeTiming = {
  connectTimeoutMs: 5_000 * TIME_FACTOR,
  // Five real seconds before a slow dial gets a companion: with 30 nodes in one process on a loaded
  // machine a handshake can take a second, and a faster stagger turns refills into races.
  dialStaggerMs: 5_000 * TIME_FACTOR,
  peerTimeouts: { handshakeMs: 10_000 * TIME_FACTOR }
}
/**
 * Simulated downtime at each restart, by which the stopped node's store is aged (network.ts): longer
 * than Core's 10-minute recent-try rule, which would otherwise make every restarted node skip the peers
 * it had just been connected to (rounds last minutes of simulated time, a real node runs for hours
 * between restarts).
 */
const DOWNTIME_MS = 30 * 60_000
/** Samples of the attacker's share are taken this often (real ms) in the second half of each round. */
const SAMPLE_EVERY_MS = 1_000

const ratio = (s: { attacker: number, total: number }): number => s.total === 0 ? 0 : s.attacker / s.total
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)

function sumPicks (net: EclipseNetwork, which: readonly number[]): PickCounts {
  const sum: PickCounts = { fullRelay: { attacker: 0, honest: 0 }, blockRelay: { attacker: 0, honest: 0 } }
  const add = (to: { attacker: number, honest: number }, from: { attacker: number, honest: number }): void => { to.attacker += from.attacker; to.honest += from.honest }
  for (const i of which) {
    const p = net.picks[i]
    if (p === undefined) continue
    add(sum.fullRelay, p.fullRelay)
    add(sum.blockRelay, p.blockRelay)
  }
  return sum
}

/** Rotations, returns and stand-ins closed (reclaimed) per simulated node-hour over `which` (up time counted up to now). */
function perNodeHour (net: EclipseNetwork, which: readonly number[], what: 'rotated' | 'returned' | 'reclaimed'): number {
  net.countUptimeNow()
  const sum = which.reduce((a, i) => { const r = net.rotations[i]; return r === undefined ? a : { n: a.n + r[what], upMs: a.upMs + r.upMs } }, { n: 0, upMs: 0 })
  return sum.upMs === 0 ? 0 : sum.n / (sum.upMs / 3_600_000)
}

/** The nodes that restart (the first third): the rest keep running, as most of a network does. */
export const victimsOf = (honest: number): number[] => Array.from({ length: Math.ceil(honest / 3) }, (_, i) => i)

export interface Phases {
  /** Real ms the network runs before the first restart. */
  readonly warmupMs: number
  /** Real ms each round runs after a restart. */
  readonly roundMs: number
  readonly restarts: number
  /** Start fresh nodes during the attack and measure them (and how far their address spread). */
  readonly fresh: number
  /** Real ms the fresh nodes are watched. @default roundMs */
  readonly freshMs?: number
  /** Restart the restarting nodes all at once (a control: no honest peer leaves during a round). */
  readonly together?: boolean
  /** The first dials race the other nodes' start instead of waiting until every node listens (a control, network.ts start()). */
  readonly bootRace?: boolean
}

export interface ScenarioResult {
  readonly settings: string
  readonly scenario: Scenario
  readonly seed: number
  /** Attacker share of the restarting nodes' slots after the warm-up, then after each restart (index 0 = before any). */
  readonly shareByRestart: number[]
  /** The same per restarting node: [round][node], each node's attacker slots / slots over the round's samples (NaN: no slots). */
  readonly nodeShareByRestart: number[][]
  /** The same for the nodes that never restart, after the last round. */
  readonly stayingShare: number
  /** The never-restarting nodes' share in each round (the drift). */
  readonly stayingByRestart: number[]
  /**
   * Per round, the restarting nodes' mean of attacker groups / (attacker groups + honest groups up) in their
   * books at the round's end: the share a perfectly group-fair selection would give.
   */
  readonly reachableGroupShare: number[]
  /**
   * Automatic outbound connections the restarting nodes made after the warm-up, by side: what the picks
   * gave, apart from how long each peer then stayed. Block-relay-only ones include the anchors.
   */
  readonly picks: PickCounts
  /** The restarting nodes' books at the end: mean occupied new and tried buckets by side. */
  readonly buckets: { newAttacker: number, newHonest: number, triedAttacker: number, triedHonest: number }
  readonly restartKinds: Array<'clean' | 'crash'>
  /** [simulated minutes since start, share] samples, for the plot. */
  readonly overTime: Array<[number, number]>
  /** Attacker share of the fresh nodes' slots after one round, and the fraction of books holding them. */
  readonly freshShare?: number
  readonly freshInBooks?: number
  /** Per fresh node, simulated minutes until its address was in 10, 25 and 50 % of the other books (null: not within the phase). */
  readonly freshSpreadMinutes?: SpreadMinutes
  readonly loadAverage: number
  /** Why automatic outbound connections ended while their node was up (counts by node, phase, kind, peer, cause). */
  readonly closeCauses: Record<string, number>
  /** The restarting nodes' sampled slots after the warm-up, by kind: attacker slots / slots. */
  readonly slotsByKind: { fullRelay: { attacker: number, total: number }, blockRelay: { attacker: number, total: number } }
  /** The restarting nodes' block-relay-only slots alone, per round (index 0 = the warm-up): where the anchors' share comes from. */
  readonly blockRelayByRestart: number[]
  /** The same for the nodes that never restart (every connection they made after the warm-up). */
  readonly stayingPicks: PickCounts
  /** Connections rotated out per node-hour of simulated time up, restarting and staying nodes. */
  readonly rotationsPerNodeHour: { restarting: number, staying: number }
  /** Departed peers back in their slots, and stand-ins closed for them, per node-hour: restarting and staying nodes. */
  readonly returnsPerNodeHour: { restarting: { returned: number, reclaimed: number }, staying: { returned: number, reclaimed: number } }
}

/** One network, one setting: warm-up, `restarts` restarts of every node (odd ones crash), then fresh nodes. */
export async function runScenario (settings: NodeSettings, scenario: Scenario, phases: Phases, port: number, seed: number, loadAverage: () => number): Promise<ScenarioResult> {
  const clock = scaledClock(TIME_FACTOR)
  const random = seededRandom(seed)
  const dir = join(tmpdir(), `pk-eclipse-${process.pid}-${seed}-${settings.name.replace(/\W+/g, '-')}`)
  const victims = victimsOf(scenario.honest)
  const net = new EclipseNetwork({ clock, random }, { settings, scenario, port, dir, timing: TIMING, magicHex: 'fabfb5da', restarting: victims, listenBeforeDial: phases.bootRace !== true })
  const started = clock.now()
  const overTime: Array<[number, number]> = []
  const staying = Array.from({ length: scenario.honest - victims.length }, (_, i) => victims.length + i)
  /**
   * Runs `ms` real time, sampling in its second half; returns each of `watched`'s share over those samples
   * (attacker slots / slots), and the same pooled over `others`.
   */
  const runFor = async (ms: number, watched: readonly number[], others: readonly number[] = []): Promise<{ nodes: number[], pooled: number, others: number, blockRelay: number }> => {
    await sleep(ms / 2)
    const sums = watched.map(() => ({ attacker: 0, total: 0 }))
    const countKinds = watched === victims && shareByRestart.length > 0
    const rest = { attacker: 0, total: 0 }
    const blockRelay = { attacker: 0, total: 0 }
    for (let t = 0; t < ms / 2; t += SAMPLE_EVERY_MS) {
      const now = { attacker: 0, total: 0 }
      for (const [k, i] of watched.entries()) {
        const s = outboundShare(net.nodes[i] as Node)
        blockRelay.attacker += s.blockRelay.attacker
        blockRelay.total += s.blockRelay.total
        if (countKinds) {
          for (const kind of ['fullRelay', 'blockRelay'] as const) {
            slotsByKind[kind].attacker += s[kind].attacker
            slotsByKind[kind].total += s[kind].total
          }
        }
        const sum = sums[k] as { attacker: number, total: number }
        sum.attacker += s.attacker
        sum.total += s.total
        now.attacker += s.attacker
        now.total += s.total
      }
      const other = net.share(others)
      rest.attacker += other.attacker
      rest.total += other.total
      overTime.push([(clock.now() - started) / 60_000, ratio(now)])
      await sleep(SAMPLE_EVERY_MS)
    }
    const pooled = sums.reduce((a, s) => ({ attacker: a.attacker + s.attacker, total: a.total + s.total }), { attacker: 0, total: 0 })
    return { nodes: sums.map((n) => n.total === 0 ? NaN : n.attacker / n.total), pooled: ratio(pooled), others: ratio(rest), blockRelay: ratio(blockRelay) }
  }
  const reachable = (): number => mean(victims.map((i) => { const v = net.bookView(i); return v.attackerGroups / Math.max(1, v.attackerGroups + v.honestGroupsUp) }))
  const shareByRestart: number[] = []
  const slotsByKind = { fullRelay: { attacker: 0, total: 0 }, blockRelay: { attacker: 0, total: 0 } }
  const nodeShareByRestart: number[][] = []
  const stayingByRestart: number[] = []
  const reachableGroupShare: number[] = []
  const restartKinds: Array<'clean' | 'crash'> = []
  const blockRelayByRestart: number[] = []
  const record = (round: { nodes: number[], pooled: number, others: number, blockRelay: number }): void => {
    blockRelayByRestart.push(round.blockRelay)
    shareByRestart.push(round.pooled)
    nodeShareByRestart.push(round.nodes)
    stayingByRestart.push(round.others)
    reachableGroupShare.push(reachable())
  }
  let loadSum = 0
  try {
    await net.start()
    record(await runFor(phases.warmupMs, victims, staying))
    const atWarmup = sumPicks(net, victims)
    const stayingAtWarmup = sumPicks(net, staying)
    for (let r = 0; r < phases.restarts; r++) {
      const how = r % 2 === 0 ? 'clean' : 'crash'
      restartKinds.push(how)
      net.causes.phase = 'restarts'
      await (phases.together === true ? net.restartTogether(victims, how, DOWNTIME_MS) : net.restart(victims, how, DOWNTIME_MS))
      net.causes.phase = 'round'
      record(await runFor(phases.roundMs, victims, staying))
      loadSum += loadAverage()
    }
    const views = victims.map((i) => net.bookView(i))
    const buckets = {
      newAttacker: mean(views.map((v) => v.newBuckets.attacker)),
      newHonest: mean(views.map((v) => v.newBuckets.honest)),
      triedAttacker: mean(views.map((v) => v.triedBuckets.attacker)),
      triedHonest: mean(views.map((v) => v.triedBuckets.honest))
    }
    const total = sumPicks(net, victims)
    const since = (a: { attacker: number, honest: number }, b: { attacker: number, honest: number } = { attacker: 0, honest: 0 }): { attacker: number, honest: number } => ({ attacker: a.attacker - b.attacker, honest: a.honest - b.honest })
    const picks: PickCounts = {
      fullRelay: since(total.fullRelay, atWarmup.fullRelay),
      blockRelay: since(total.blockRelay, atWarmup.blockRelay)
    }
    const stayingTotal = sumPicks(net, staying)
    const stayingPicks: PickCounts = { fullRelay: since(stayingTotal.fullRelay, stayingAtWarmup.fullRelay), blockRelay: since(stayingTotal.blockRelay, stayingAtWarmup.blockRelay) }
    const base = { stayingPicks, rotationsPerNodeHour: { restarting: perNodeHour(net, victims, 'rotated'), staying: perNodeHour(net, staying, 'rotated') }, returnsPerNodeHour: { restarting: { returned: perNodeHour(net, victims, 'returned'), reclaimed: perNodeHour(net, victims, 'reclaimed') }, staying: { returned: perNodeHour(net, staying, 'returned'), reclaimed: perNodeHour(net, staying, 'reclaimed') } }, closeCauses: net.causes.table(), slotsByKind, blockRelayByRestart, settings: settings.name, scenario, seed, picks, shareByRestart, nodeShareByRestart, stayingShare: stayingByRestart.at(-1) ?? 0, stayingByRestart, reachableGroupShare, buckets, restartKinds, overTime, loadAverage: loadSum / Math.max(1, phases.restarts) }
    if (phases.fresh === 0) return base
    const startedAt = new Map<number, number>()
    for (let k = 0; k < phases.fresh; k++) {
      const at = clock.now()
      startedAt.set(await net.addFresh(), at)
    }
    const fresh = [...startedAt.keys()]
    const spread = watchSpread(net, startedAt, clock, SAMPLE_EVERY_MS)
    const freshShare = (await runFor(phases.freshMs ?? phases.roundMs, fresh)).pooled
    const freshSpreadMinutes = spread.stop()
    const held = fresh.map((i) => net.booksHolding(i))
    const freshInBooks = held.reduce((a, h) => a + h.holding / Math.max(1, h.of), 0) / held.length
    return { ...base, freshShare, freshInBooks, freshSpreadMinutes }
  } finally {
    await net.close()
  }
}
