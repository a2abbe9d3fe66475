import type { Summary } from './stats.ts'

/** One line of the benchmark table (and one object in bench/results/latest.json). */
export interface BenchResult {
  /** Which measurement of issue 7 this is, e.g. "2a cold start (200 live)". */
  readonly name: string
  readonly unit: string
  readonly summary: Summary
  /** The physical floor measured in the same run, in the same unit, where one applies. */
  readonly floor?: number
  /** Anything else worth keeping: dials spent, counts, goals. */
  readonly extra?: Record<string, number | string>
}

export interface Timeline {
  readonly profile: string
  /** [ms since start, outbound connections]. */
  readonly outbound: Array<[number, number]>
  /** ms since start of each dial attempt. */
  readonly dials: number[]
  readonly targetOutbound: number
}

export interface Suite {
  readonly name: string
  run(report: (result: BenchResult) => void, timeline: (t: Timeline) => void): Promise<void>
}
