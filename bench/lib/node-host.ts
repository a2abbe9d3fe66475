import { monitorEventLoopDelay } from 'node:perf_hooks'
import { getHeapSpaceStatistics } from 'node:v8'
import { restoreYoungGenerationGrowthUnderLoad } from '../../src/cli/young-generation.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import { nullLoggerFactory } from '../../src/log/logger.ts'
import type { Node, NodeTiming } from '../../src/node/node.ts'
import { statusPageFor, type StatusServer } from '../../src/status/server.ts'
import { probedNode } from './local-node.ts'
import { NodeProbe } from './probe.ts'
import { nowMs } from './stats.ts'

/**
 * The node host (bench/lib/node-host-main.ts is the entry NodeChild forks): one node, alone in its process, so that its event-loop delay,
 * RSS and CPU are its own and not the load generator's or the simulator's. Driven over IPC.
 */

/** Event-loop delay sampling period: fine enough for a p99 in milliseconds. */
const ELD_RESOLUTION_MS = 5
/** A host whose parent went silent this long must not linger (the soak asks at least once a minute). */
const ORPHAN_LIMIT_MS = 120_000

export interface HostRequest {
  readonly id: number
  readonly op: 'start' | 'waitOutbound' | 'status' | 'windowStart' | 'windowEnd' | 'usage' | 'stop'
  readonly options?: RunOptions
  readonly init?: NodeTiming
  readonly outbound?: number
  readonly timeoutMs?: number
}

/** What one measuring window saw, from windowStart to windowEnd. */
export interface HostWindow {
  readonly wallMs: number
  readonly cpuMs: number
  readonly rssBytes: number
  /** The capacity of V8's new space (both semi-spaces) at the window's end: does it grow under load? */
  readonly newSpaceBytes: number
  readonly eldP50Ms: number
  readonly eldP99Ms: number
  readonly eldMaxMs: number
  readonly minOutbound: number
  readonly outbound: number
  readonly inbound: number
}

export interface HostUsage {
  readonly rssBytes: number
  readonly heapUsedBytes: number
  readonly cpuMs: number
  /** process.getActiveResourcesInfo() counted by kind (TCPSocketWrap, Timeout, …): what keeps the loop alive. */
  readonly resources: Record<string, number>
}

let node: Node | undefined
/** The status page, when the options ask for one (--statuslisten): measured as part of the node's process. */
let page: StatusServer | undefined
const probe = new NodeProbe({ keepRecords: false })
const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS })
let window: { startMs: number, cpu: NodeJS.CpuUsage, minOutbound: number, unwatch: () => void } | undefined

const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000

async function handle (req: HostRequest): Promise<unknown> {
  switch (req.op) {
    case 'start': {
      node = probedNode(req.options ?? {}, req.init ?? {}, probe).node
      page = statusPageFor(node, nullLoggerFactory)
      await page?.start()
      await node.start()
      restoreYoungGenerationGrowthUnderLoad()
      return null
    }
    case 'waitOutbound':
      try {
        await probe.until('host: outbound target', () => probe.outbound >= (req.outbound ?? 0), req.timeoutMs ?? 0)
      } catch (err) {
        throw new Error(`${(err as Error).message}; status ${JSON.stringify(node?.status())}`)
      }
      return null
    case 'status':
      return node?.status() ?? null
    case 'windowStart': {
      window?.unwatch()
      const w = { startMs: nowMs(), cpu: process.cpuUsage(), minOutbound: probe.outbound, unwatch: () => {} }
      w.unwatch = probe.watch(() => { w.minOutbound = Math.min(w.minOutbound, probe.outbound) })
      window = w
      eld.reset()
      eld.enable()
      return null
    }
    case 'windowEnd': {
      eld.disable()
      const w = window
      if (w === undefined) throw new Error('windowEnd without windowStart')
      w.unwatch()
      window = undefined
      const result: HostWindow = {
        wallMs: nowMs() - w.startMs,
        cpuMs: cpuMs(process.cpuUsage(w.cpu)),
        rssBytes: process.memoryUsage.rss(),
        newSpaceBytes: getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0,
        eldP50Ms: eld.percentile(50) / 1e6,
        eldP99Ms: eld.percentile(99) / 1e6,
        eldMaxMs: eld.max / 1e6,
        minOutbound: w.minOutbound,
        outbound: probe.outbound,
        inbound: node?.status()?.inbound ?? 0
      }
      return result
    }
    case 'usage': {
      // With --expose-gc (the soak) the heap is measured after a full collection, so garbage is not taken for a leak.
      (globalThis as { gc?: () => void }).gc?.()
      const resources: Record<string, number> = {}
      for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1
      const usage: HostUsage = { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed, cpuMs: cpuMs(process.cpuUsage()), resources }
      return usage
    }
    case 'stop':
      await page?.close()
      page = undefined
      await node?.stop()
      node = undefined
      return null
  }
}

const orphanTimer = setTimeout(() => { process.exit(3) }, ORPHAN_LIMIT_MS).unref()
process.on('message', (message) => {
  orphanTimer.refresh()
  const req = message as HostRequest
  handle(req).then(
    (result) => { process.send?.({ id: req.id, result }) },
    (err: unknown) => { process.send?.({ id: req.id, error: err instanceof Error ? err.message : String(err) }) }
  )
})
process.on('disconnect', () => {
  void (node?.stop() ?? Promise.resolve()).finally(() => { process.exit(0) })
})
