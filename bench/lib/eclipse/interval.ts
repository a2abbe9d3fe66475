/** Two-sided 95 % Student t quantiles for 1…30 degrees of freedom (beyond: the normal 1.96). */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
  2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]

export interface Interval {
  readonly n: number
  readonly mean: number
  /** Half-width of the 95 % confidence interval of the mean (t interval; NaN below 2 values). */
  readonly half: number
}

/** Mean and 95 % t interval, treating the values as independent draws. */
export function meanInterval (values: readonly number[]): Interval {
  const n = values.length
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, n)
  if (n < 2) return { n, mean, half: NaN }
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)
  return { n, mean, half: (T95[n - 2] ?? 1.96) * Math.sqrt(variance / n) }
}

/** Least-squares slope of ys over x = 0, 1, 2, …. */
export function slope (ys: readonly number[]): number {
  const n = ys.length
  if (n < 2) return NaN
  const mx = (n - 1) / 2
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (const [x, y] of ys.entries()) { num += (x - mx) * (y - my); den += (x - mx) ** 2 }
  return num / den
}

/** "12.3 % ± 4.5" (fractions shown as percent; the ± is the 95 % half-width). */
export function formatInterval (i: Interval, unit = '%', scale = 100): string {
  const half = Number.isNaN(i.half) ? '' : ` ± ${(i.half * scale).toFixed(1)}`
  return `${(i.mean * scale).toFixed(1)}${half} ${unit} (n ${i.n})`
}
