import { buildNodeConfig } from '../../src/cli/node-config.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import { createNode, type Node, type NodeOverrides, type NodeTiming } from '../../src/node/node.ts'
import type { SimNetwork } from '../../src/sim/sim-network.ts'
import { writeLocalChainParams } from './local-chainparams.ts'
import { recordingEvents, type RecordingEvents } from './recording-events.ts'
import { tempDir } from './temp-dir.ts'

/** Timings that keep in-process node tests short: permanent peers are retried within a second. */
export const FAST_TIMING: NodeTiming = { retryDurationMs: 200, maxRetryDurationMs: 1_000 }

export interface InProcessNode { node: Node, log: RecordingEvents }

/**
 * A real node (createNode, real sockets, real LevelDB in `datadir`) against a simulated network, with
 * its events recorded from before start. No RPC server unless `options` ask for one (norpc: false with rpclisten). `cleanup` receives the stop (a no-op once the test stopped it).
 */
export async function startInProcessNode (sim: SimNetwork, options: RunOptions, datadir: string, cleanup: Array<() => Promise<void>>,
  overrides: NodeOverrides = {}): Promise<InProcessNode> {
  const config = buildNodeConfig({ chainparams: writeLocalChainParams(sim.port, tempDir('params')), nodnsseed: true, nolisten: true, norpc: true, datadir, ...options })
  const log = recordingEvents()
  const node = createNode(config, { timing: FAST_TIMING, ...overrides })
  log.attach(node.events)
  let stopped = false
  cleanup.push(async () => { if (!stopped) await node.stop() })
  await node.start()
  const stop = node.stop.bind(node)
  node.stop = async () => { stopped = true; await stop() }
  return { node, log }
}
