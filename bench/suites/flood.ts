import { loadChainParams } from '../../src/chainparams/chainparams.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { refusedPort } from '../../test/helpers/loopback-listener.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import { floodFromChild, versionBytes, type FloodResult } from '../lib/flood.ts'
import { honestPeersDuring, type HonestResult } from '../lib/honest-peers.ts'
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

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0)

/** One flood configuration: the node's admission flags and what the clients do. */
interface Scenario {
  readonly label: string
  readonly flags: RunOptions
  readonly singleSource: boolean
  readonly silent: boolean
  /** Each client sends 64 bytes that read as a BIP324 public key: the node (v2 on) answers with an ECDH each. */
  readonly v2Key?: boolean
  readonly note: string
}

/** Every inbound limit off: the node as it was before issue 11, for comparison. */
const LIMITS_OFF: RunOptions = { maxinboundperip: 'unlimited', maxinboundpergroup: 'unlimited', inboundrate: 'unlimited', maxpendinginbound: 'unlimited' }

const SCENARIOS: readonly Scenario[] = [
  { label: '7 inbound flood (limits off)', flags: LIMITS_OFF, singleSource: false, silent: false, note: 'many IPs sending a version; every admission limit off (the node before issue 11)' },
  { label: '7 inbound flood, many IPs (defaults)', flags: {}, singleSource: false, silent: false, note: 'many IPs sending a version; default admission limits' },
  { label: '7b inbound flood, many IPs silent (defaults)', flags: {}, singleSource: false, silent: true, note: 'many IPs that never speak; default admission limits' },
  { label: '7c inbound flood, one IP (defaults)', flags: {}, singleSource: true, silent: false, note: 'every attempt from one IP, sending a version; default admission limits' },
  { label: '7d inbound flood of v2 keys, many IPs (defaults)', flags: {}, singleSource: false, silent: false, v2Key: true, note: 'many IPs each sending 64 bytes the node takes for a BIP324 key (it answers with ElligatorSwift ECDH); default admission limits' }
]

/** 64 bytes that are not a v1 header: the node's v2 detection takes them for an ElligatorSwift public key. */
const V2_KEY_BYTES = Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff)

/**
 * Measurement 7: inbound connection attempts at 2,000/s (a client process) against a node (a process of its
 * own) that holds 8 outbound peers, in several scenarios (limits off as before issue 11; the default limits
 * against many IPs, many silent IPs and one IP). Meanwhile honest peers connect one after another from
 * another netgroup. Reports the node's event-loop delay, its lowest outbound count, CPU per refused attempt
 * and the honest handshakes completed during the flood.
 */
export const floodSuite: Suite = {
  name: 'flood',
  async run (report) {
    for (const scenario of SCENARIOS) await runScenario(scenario, report)
  }
}

async function runScenario (scenario: Scenario, report: Parameters<Suite['run']>[0]): Promise<void> {
  const sim = await startSimNetwork({ peers: { live: LIVE_PEERS }, port: 0, seed: 13 })
  const { datadir } = await prefilledDataDir(sim.addresses(), 13)
  const port = await refusedPort()
  const options = simRunOptions(sim.port, datadir, { targetoutbound: TARGET_OUTBOUND, listen: [`127.0.0.1:${port}`], nolisten: false, ...scenario.flags })
  const params = loadChainParams(options.chainparams as string)
  const payload = scenario.silent ? new Uint8Array(0) : scenario.v2Key === true ? V2_KEY_BYTES : versionBytes(params)
  const windows: HostWindow[] = []
  const floods: FloodResult[] = []
  const honest: HonestResult[] = []
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
      const flooding = floodFromChild({ target: { host: '127.0.0.1', port }, ratePerSecond: RATE_PER_SECOND, durationMs: FLOOD_MS, holdMs: HOLD_MS, payload, firstSource: round * RATE_PER_SECOND * FLOOD_MS / 1000, singleSource: scenario.singleSource })
      const [result, trickle] = await Promise.all([flooding, honestPeersDuring(port, params, flooding)])
      floods.push(result)
      honest.push(trickle)
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
    name: `${scenario.label}: node event-loop delay p99`,
    unit: 'ms',
    summary: summarize(windows.map((w) => w.eldP99Ms)),
    floor: idle?.eldP99Ms,
    extra: {
      attemptsPerS: summarize(floods.map((r) => r.achievedPerSecond)).median.toFixed(0),
      sources: scenario.singleSource ? 1 : sum((r) => r.attempts),
      attempts: sum((r) => r.attempts),
      answered: sum((r) => r.answered),
      refused: sum((r) => r.refused),
      silent: sum((r) => r.silent),
      failed: Object.entries(failed).map(([c, n]) => `${c}:${n}`).join(' ') || 0,
      honestCompleted: `${honest.reduce((n, h) => n + h.completed, 0)}/${honest.reduce((n, h) => n + h.attempts, 0)}`,
      eldMaxMs: Math.max(...windows.map((w) => w.eldMaxMs)).toFixed(1),
      nodeCpuPct: summarize(windows.map((w) => 100 * w.cpuMs / w.wallMs)).median.toFixed(0),
      nodeCpuUsPerAttempt: summarize(windows.map((w, i) => 1000 * w.cpuMs / (floods[i]?.attempts ?? 1))).median.toFixed(0),
      newSpaceMb: `${mib(idle?.newSpaceBytes ?? 0)} idle, ${mib(Math.max(...windows.map((w) => w.newSpaceBytes)))} flood`,
      nodeCpuUsPerRefused: summarize(windows.map((w, i) => 1000 * w.cpuMs / Math.max(1, floods[i]?.refused ?? 1))).median.toFixed(0),
      note: `${scenario.note}; floor = the same node idle; silent = connected, neither answered nor closed within the hold (admitted and waiting, or in the accept queue); honestCompleted = handshakes of honest peers (127.90/16, one at a time) during the flood; newSpaceMb = V8's new space (both semi-spaces) idle before the flood and its largest at a flood window's end`
    }
  })
  report({
    name: `${scenario.label}: lowest outbound count during the flood`,
    unit: 'peers',
    summary: summarize(windows.map((w) => w.minOutbound)),
    extra: { target: TARGET_OUTBOUND, goal: 'never dips', inboundAtEnd: summarize(windows.map((w) => w.inbound)).median }
  })
}
