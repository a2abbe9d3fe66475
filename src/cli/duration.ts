import { UsageError } from '../util/errors.ts'

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const DURATION = /^(?:\d+(?:\.\d+)?[smhd])+$/
const PART = /(\d+(?:\.\d+)?)([smhd])/g

/**
 * A duration flag in milliseconds: a number with a unit, s, m, h or d, or several summed as Go writes
 * them (`90s`, `1.5h`, `1h30m`, `7d`). A bare number is refused: its unit would be a guess.
 * Throws UsageError naming `flag`.
 */
export function parseDuration (text: string, flag: string): number {
  const input = text.trim().toLowerCase()
  if (!DURATION.test(input)) {
    throw new UsageError(`${flag}: "${text}" is not a duration (expected a number with a unit s, m, h or d, e.g. 30m, 24h, 7d)`)
  }
  let ms = 0
  for (const [, amount, unit] of input.matchAll(PART)) ms += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0)
  if (!Number.isSafeInteger(Math.round(ms))) throw new UsageError(`${flag}: "${text}" is too long`)
  return Math.round(ms)
}

/** Milliseconds as parseDuration reads them back, in whole hours, minutes and seconds (24h, 1h30m, 90s → 1m30s). */
export function formatDuration (ms: number): string {
  const parts: string[] = []
  let rest = Math.round(ms / 1_000) * 1_000
  for (const unit of ['h', 'm', 's'] as const) {
    const unitMs = UNIT_MS[unit] ?? 1
    if (rest >= unitMs) parts.push(`${Math.floor(rest / unitMs)}${unit}`)
    rest %= unitMs
  }
  return parts.length === 0 ? '0s' : parts.join('')
}
