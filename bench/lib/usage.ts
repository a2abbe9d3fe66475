import type { NodeChild } from './node-child.ts'
import type { HostUsage } from './node-host.ts'
import { sleep } from './stats.ts'

/** One sample per second: RSS moves slowly and CPU needs a window to be a rate. */
const SAMPLE_MS = 1_000

/** Per-second RSS (MB) and CPU (% of one core) of the node, over `count` seconds. */
export async function sample (node: NodeChild, count: number): Promise<{ rssMB: number[], cpuPct: number[] }> {
  const rssMB: number[] = []
  const cpuPct: number[] = []
  let last: HostUsage = await node.usage()
  for (let i = 0; i < count; i++) {
    await sleep(SAMPLE_MS)
    const now = await node.usage()
    rssMB.push(now.rssBytes / 2 ** 20)
    cpuPct.push(100 * (now.cpuMs - last.cpuMs) / SAMPLE_MS)
    last = now
  }
  return { rssMB, cpuPct }
}

