/** Order statistics over repeated rounds: benchmarks report median and p99, never a single run. */
export interface Summary {
  readonly n: number
  readonly median: number
  readonly p99: number
  readonly min: number
  readonly max: number
}

export function summarize (samples: readonly number[]): Summary {
  if (samples.length === 0) return { n: 0, median: NaN, p99: NaN, min: NaN, max: NaN }
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN
  return { n: sorted.length, median: at(0.5), p99: at(0.99), min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN }
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export function nowMs (): number {
  return performance.now()
}

/** Runs `fn` repeatedly until `rounds` runs or `budgetMs` has passed (at least `minRounds`). */
export async function repeat (rounds: number, budgetMs: number, fn: (round: number) => Promise<number> | number, minRounds = 3): Promise<number[]> {
  const samples: number[] = []
  const start = nowMs()
  for (let i = 0; i < rounds; i++) {
    samples.push(await fn(i))
    if (i + 1 >= minRounds && nowMs() - start > budgetMs) break
  }
  return samples
}

/** Real-time wait: benchmarks measure real time (tests never sleep; they use fake timers). */
export async function sleep (ms: number): Promise<void> {
  await new Promise<void>((resolve) => { setTimeout(resolve, ms) })
}
