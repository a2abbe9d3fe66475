import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { floor } from '../lib/floor.ts'
import { prefilledDataDir, probedNode, removeDataDir, simRunOptions } from '../lib/local-node.ts'
import type { Suite, Timeline } from '../lib/result.ts'
import { nowMs, sleep, summarize } from '../lib/stats.ts'

/**
 * The backoff schedule, scaled down 50× from the defaults (5 s doubling to 5 min) so rounds take a second
 * or two: 100, 200, 400, 800, 1600 ms, ±20 % jitter. What is measured is how closely the reconnect
 * follows the schedule, which does not depend on the scale.
 */
const RETRY_DURATION_MS = 100
const MAX_RETRY_DURATION_MS = 1_600
/** How long the host stays down in each round: lands on different steps of the schedule. */
const DOWNTIMES_MS = [50, 250, 650, 1_300]
const ROUNDS = 8
const BUDGET_MS = 14_000
const ROUND_TIMEOUT_MS = 5_000

interface PermanentRound {
  readonly ms: number
  /** The retry that reconnected: its number and its scheduled delay. */
  readonly retryCount: number
  readonly delayMs: number
  /** From the moment that retry was due to the handshake being done: the node's own cost. */
  readonly afterDueMs: number
  /** What the schedule alone predicts: from the host's return to the next retry being due. */
  readonly scheduleWaitMs: number
  readonly timeline: Timeline
}

/** Measurement 4: a permanent peer's host restarts → time from its return to reconnected, against the schedule. */
export const permanentSuite: Suite = {
  name: 'permanent',
  async run (report, timeline) {
    const floorMs = (await floor(report)).median
    const sim = await startSimNetwork({ peers: { live: 1 }, port: 0, seed: 3 })
    const addr = sim.peer(0).addr
    const { datadir } = await prefilledDataDir([], 1)
    const { node, probe } = probedNode(simRunOptions(sim.port, datadir, { connect: [addrKey(addr)] }), {
      retryDurationMs: RETRY_DURATION_MS, maxRetryDurationMs: MAX_RETRY_DURATION_MS
    })
    const rounds: PermanentRound[] = []
    const started = nowMs()
    try {
      await node.start()
      await probe.until('permanent peer up', () => probe.permanentUp === 1, ROUND_TIMEOUT_MS)
      for (let round = 0; round < ROUNDS && (round < 3 || nowMs() - started < BUDGET_MS); round++) {
        const t0 = probe.mark()
        await sim.stopPeer(0)
        await probe.until('permanent peer lost', () => probe.permanentUp === 0, ROUND_TIMEOUT_MS)
        await sleep(DOWNTIMES_MS[round % DOWNTIMES_MS.length] as number)
        const returnedAt = nowMs()
        await sim.restartPeer(0)
        const at = await probe.until('permanent peer back', () => probe.permanentUp === 1, ROUND_TIMEOUT_MS)
        // The retry that succeeded is the last one scheduled before the reconnect.
        const retry = probe.events('retry_scheduled', t0).filter((r) => r.atMs <= at).at(-1)
        if (retry === undefined) throw new Error('permanent: reconnected without a scheduled retry')
        const dueAt = retry.atMs + (retry.fields.delayMs as number)
        rounds.push({
          ms: at - returnedAt,
          retryCount: retry.fields.retryCount as number,
          delayMs: retry.fields.delayMs as number,
          afterDueMs: at - dueAt,
          scheduleWaitMs: Math.max(0, dueAt - returnedAt),
          timeline: probe.timeline('permanent', 1, 'permanent')
        })
      }
    } finally {
      await node.stop()
      await sim.close()
      await removeDataDir(datadir)
    }
    const delays = rounds.map((r) => `#${r.retryCount}:${r.delayMs}`).join(' ')
    report({
      name: '4 permanent peer: host back → reconnected',
      unit: 'ms',
      summary: summarize(rounds.map((r) => r.ms)),
      extra: { scheduleWaitMedianMs: summarize(rounds.map((r) => r.scheduleWaitMs)).median.toFixed(0), retriesHit: delays, schedule: `${RETRY_DURATION_MS}×2^(n-1) ms ±20 %, max ${MAX_RETRY_DURATION_MS} ms (defaults ÷50)` }
    })
    report({
      name: '4 permanent peer: retry due → reconnected',
      unit: 'ms',
      summary: summarize(rounds.map((r) => r.afterDueMs)),
      floor: floorMs,
      extra: { note: 'the node\'s own cost beyond the backoff schedule' }
    })
    // The round that went furthest down the schedule shows it best.
    const longest = [...rounds].sort((a, b) => b.retryCount - a.retryCount)[0]
    if (longest !== undefined) timeline(longest.timeline)
  }
}
