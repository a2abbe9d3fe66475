import { loadChainParams } from '../../src/chainparams/chainparams.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { refusedPort } from '../../test/helpers/loopback-listener.ts'
import { floodFromChild, versionBytes, type FloodResult } from '../lib/flood.ts'
import { prefilledDataDir, removeDataDir, simRunOptions } from '../lib/local-node.ts'
import { NodeChild } from '../lib/node-child.ts'
import type { HostWindow } from '../lib/node-host.ts'
import type { Suite } from '../lib/result.ts'
import { sleep, summarize } from '../lib/stats.ts'

const TARGET_OUTBOUND = 8
const LIVE_PEERS = 40
/** Thousands of attempts a second, as issue 7 asks; each from its own loopback address. */
const RATE_PER_SECOND = 2_000
const FLOOD_MS = 3_000
const ROUNDS = 3
/** Long enough for an admitted client to get the node's version back, short enough to free the slot. */
const HOLD_MS = 250
const IDLE_WINDOW_MS = 1_000
const SETTLE_MS = 500
const TARGET_TIMEOUT_MS = 20_000

/**
 * Measurement 7: inbound connection attempts from many loopback addresses (a client process) against a
 * node (a process of its own) that holds 8 outbound peers; the node's event-loop delay, its lowest outbound count during the
 * flood, and what the clients saw (answered, refused, failed).
 */
export const floodSuite: Suite = {
  name: 'flood',
  async run (report) {
    const sim = await startSimNetwork({ peers: { live: LIVE_PEERS }, port: 0, seed: 13 })
    const { datadir } = await prefilledDataDir(sim.addresses(), 13)
    const port = await refusedPort()
    const options = simRunOptions(sim.port, datadir, { targetoutbound: TARGET_OUTBOUND, listen: [`127.0.0.1:${port}`], nolisten: false })
    const payload = versionBytes(loadChainParams(options.chainparams as string))
    const windows: HostWindow[] = []
    const floods: FloodResult[] = []
    let idle: HostWindow | undefined
    let node: NodeChild | undefined
    try {
      node = await NodeChild.start(options)
      await node.waitOutbound(TARGET_OUTBOUND, TARGET_TIMEOUT_MS)
      await node.windowStart()
      await sleep(IDLE_WINDOW_MS)
      idle = await node.windowEnd()
      for (let round = 0; round < ROUNDS; round++) {
        await node.windowStart()
        floods.push(await floodFromChild({ target: { host: '127.0.0.1', port }, ratePerSecond: RATE_PER_SECOND, durationMs: FLOOD_MS, holdMs: HOLD_MS, payload, firstSource: round * RATE_PER_SECOND * FLOOD_MS / 1000 }))
        windows.push(await node.windowEnd())
        await sleep(SETTLE_MS)
      }
    } finally {
      await node?.stop()
      await sim.close()
      await removeDataDir(datadir)
    }
    const sum = (f: (r: FloodResult) => number): number => floods.reduce((n, r) => n + f(r), 0)
    const failed: Record<string, number> = {}
    for (const r of floods) for (const [code, n] of Object.entries(r.failed)) failed[code] = (failed[code] ?? 0) + n
    report({
      name: '7 inbound flood: node event-loop delay p99',
      unit: 'ms',
      summary: summarize(windows.map((w) => w.eldP99Ms)),
      floor: idle?.eldP99Ms,
      extra: {
        attemptsPerS: summarize(floods.map((r) => r.achievedPerSecond)).median.toFixed(0),
        sources: sum((r) => r.attempts),
        answered: sum((r) => r.answered),
        refused: sum((r) => r.refused),
        silent: sum((r) => r.silent),
        failed: Object.entries(failed).map(([c, n]) => `${c}:${n}`).join(' ') || 0,
        eldMaxMs: Math.max(...windows.map((w) => w.eldMaxMs)).toFixed(1),
        nodeCpuPct: summarize(windows.map((w) => 100 * w.cpuMs / w.wallMs)).median.toFixed(0),
        nodeCpuUsPerAttempt: summarize(windows.map((w, i) => 1000 * w.cpuMs / (floods[i]?.attempts ?? 1))).median.toFixed(0),
        note: 'floor = the same node idle; silent = connected but neither answered nor closed within the hold (waiting in the accept queue)'
      }
    })
    report({
      name: '7 inbound flood: lowest outbound count during the flood',
      unit: 'peers',
      summary: summarize(windows.map((w) => w.minOutbound)),
      extra: { target: TARGET_OUTBOUND, goal: 'never dips', inboundAtEnd: summarize(windows.map((w) => w.inbound)).median }
    })
  }
}
