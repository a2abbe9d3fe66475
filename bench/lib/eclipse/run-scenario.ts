import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NodeTiming } from '../../../src/node/node.ts'
import { seededRandom } from '../../../src/util/random.ts'
import { sleep } from '../stats.ts'
import { EclipseNetwork, type NodeSettings, type Scenario } from './network.ts'
import { scaledClock } from './scaled-clock.ts'

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
 * Simulated downtime at each restart: longer than Core's 10-minute recent-try rule, which would otherwise
 * make every restarted node skip the peers it had just been connected to (rounds last minutes of
 * simulated time, a real node runs for hours between restarts).
 */
const DOWNTIME_MS = 30 * 60_000
/** Samples of the attacker's share are taken this often (real ms) in the second half of each round. */
const SAMPLE_EVERY_MS = 1_000

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
}

export interface ScenarioResult {
  readonly settings: string
  readonly scenario: Scenario
  /** Attacker share of the restarting nodes' slots after the warm-up, then after each restart (index 0 = before any). */
  readonly shareByRestart: number[]
  /** The same for the nodes that never restart, after the last round. */
  readonly stayingShare: number
  readonly restartKinds: Array<'clean' | 'crash'>
  /** [simulated minutes since start, share] samples, for the plot. */
  readonly overTime: Array<[number, number]>
  /** Attacker share of the fresh nodes' slots after one round, and the fraction of books holding them. */
  readonly freshShare?: number
  readonly freshInBooks?: number
  readonly loadAverage: number
}

/** One network, one setting: warm-up, `restarts` restarts of every node (odd ones crash), then fresh nodes. */
export async function runScenario (settings: NodeSettings, scenario: Scenario, phases: Phases, port: number, seed: number, loadAverage: () => number): Promise<ScenarioResult> {
  const clock = scaledClock(TIME_FACTOR)
  const random = seededRandom(seed)
  const dir = join(tmpdir(), `pk-eclipse-${process.pid}-${seed}-${settings.name.replace(/\W+/g, '-')}`)
  const net = new EclipseNetwork({ clock, random }, { settings, scenario, port, dir, timing: TIMING, magicHex: 'fabfb5da' })
  const started = clock.now()
  const overTime: Array<[number, number]> = []
  const shareOf = (only?: readonly number[]): number => { const s = net.share(only); return s.total === 0 ? 0 : s.attacker / s.total }
  /** Runs `ms` real time, sampling in its second half; returns the mean share of those samples. */
  const runFor = async (ms: number, only?: readonly number[]): Promise<number> => {
    await sleep(ms / 2)
    const samples: number[] = []
    for (let t = 0; t < ms / 2; t += SAMPLE_EVERY_MS) {
      const share = shareOf(only)
      samples.push(share)
      overTime.push([(clock.now() - started) / 60_000, share])
      await sleep(SAMPLE_EVERY_MS)
    }
    return samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)
  }
  const victims = victimsOf(scenario.honest)
  const staying = Array.from({ length: scenario.honest - victims.length }, (_, i) => victims.length + i)
  const shareByRestart: number[] = []
  const restartKinds: Array<'clean' | 'crash'> = []
  let loadSum = 0
  try {
    await net.start()
    shareByRestart.push(await runFor(phases.warmupMs, victims))
    for (let r = 0; r < phases.restarts; r++) {
      const how = r % 2 === 0 ? 'clean' : 'crash'
      restartKinds.push(how)
      await net.restart(victims, how, () => { clock.skip(DOWNTIME_MS) })
      shareByRestart.push(await runFor(phases.roundMs, victims))
      loadSum += loadAverage()
    }
    const stayingShare = shareOf(staying)
    if (phases.fresh === 0) return { settings: settings.name, scenario, shareByRestart, stayingShare, restartKinds, overTime, loadAverage: loadSum / Math.max(1, phases.restarts) }
    const fresh: number[] = []
    for (let k = 0; k < phases.fresh; k++) fresh.push(await net.addFresh())
    const freshShare = await runFor(phases.roundMs, fresh)
    const held = fresh.map((i) => net.booksHolding(i))
    const freshInBooks = held.reduce((a, h) => a + h.holding / Math.max(1, h.of), 0) / held.length
    return { settings: settings.name, scenario, shareByRestart, stayingShare, restartKinds, overTime, freshShare, freshInBooks, loadAverage: loadSum / Math.max(1, phases.restarts) }
  } finally {
    await net.close()
  }
}
