import { constants, PerformanceObserver } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'

/**
 * V8's young generation for `peerkeeper run`: while the process starts (~360 modules load, the store
 * opens), its two semi-spaces stay at their initial 1 MiB each instead of doubling up to 16 MiB. Left to
 * grow, the new space held 15 MiB of resident memory for the first ~20 s of an idle node, until V8's
 * memory reducer shrank it. Once the node has started, V8's own growth factor comes back as soon as the
 * node is busy (scavenges close together, as under an inbound flood): its new space grows again instead of
 * scavenging every MiB, and the memory reducer shrinks it when the node goes idle. An idle node keeps
 * the small space (given back at start, the first handshakes grew it: +1.5 MB; BENCHMARKS.md, issue 14). V8 reads the growth factor each time it
 * grows the space, so both settings take effect at run time (--max-semi-space-size would not: it is read
 * once, when the heap is made).
 */
const KEEP_INITIAL_SIZE = '--semi-space-growth-factor=1'
/** V8's default (flag-definitions.h in V8 11.3, Node 20): each growth doubles the semi-spaces. */
const V8_DEFAULT_GROWTH = '--semi-space-growth-factor=2'
/** This many scavenges within BUSY_WINDOW_MS mean a busy node: with 1 MiB semi-spaces, ~16 MiB/s allocated. */
const BUSY_SCAVENGES = 16
const BUSY_WINDOW_MS = 1_000

/** The V8 flag to set, or undefined when the operator sized the young generation themselves. */
export function youngGenerationFlag (execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  const theirs = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)]
  return theirs.some((a) => /^--((max|min)[-_])?semi[-_]space/.test(a)) ? undefined : KEEP_INITIAL_SIZE
}

/** Whether this process set the small growth (and so owes V8 its default back). */
let keptSmall = false

/**
 * Keeps the semi-spaces small for the start (unless the operator's own setting stands); to be called
 * before the command's modules load, they are most of the start's allocation.
 */
export function keepYoungGenerationSmall (): void {
  const flag = youngGenerationFlag(process.execArgv, process.env.NODE_OPTIONS)
  if (flag === undefined) return
  setFlagsFromString(flag)
  keptSmall = true
}

/** V8's default growth again; nothing when the start did not change it. */
function restoreYoungGenerationGrowth (): void {
  if (!keptSmall) return
  setFlagsFromString(V8_DEFAULT_GROWTH)
  keptSmall = false
}

/** Whether the latest scavenges (their start times, oldest first, ms) came close enough together to call the node busy. */
export function scavengesShowLoad (startTimesMs: readonly number[]): boolean {
  if (startTimesMs.length < BUSY_SCAVENGES) return false
  return (startTimesMs.at(-1) ?? 0) - (startTimesMs.at(-BUSY_SCAVENGES) ?? 0) <= BUSY_WINDOW_MS
}

/** Once the node has started: V8's default growth back at the first busy second (nothing if the start did not change it). */
export function restoreYoungGenerationGrowthUnderLoad (): void {
  if (!keptSmall) return
  const recent: number[] = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) recent.push(entry.startTime)
    }
    recent.splice(0, recent.length - BUSY_SCAVENGES)
    if (!scavengesShowLoad(recent)) return
    observer.disconnect()
    restoreYoungGenerationGrowth()
  })
  observer.observe({ entryTypes: ['gc'] })
}
