/**
 * Decides whether a repeated warning is worth a log line: the first `burst` occurrences, then at most one
 * per interval (btcd logs inbound rejections this way so a flood cannot flood the log too). What it holds
 * back is counted, by key, so the next line (or a periodic flush) can say how much was left out.
 */
export interface Suppressed<K extends string> {
  readonly total: number
  /** Counts for the occurrences that were given a key. */
  readonly byKey: Readonly<Partial<Record<K, number>>>
  readonly firstMs: number
  readonly lastMs: number
}

export class LogThrottle<K extends string = string> {
  readonly #burst: number
  readonly #intervalMs: number
  #seen = 0
  #lastLoggedMs = -Infinity
  #suppressed: { total: number, byKey: Partial<Record<K, number>>, firstMs: number, lastMs: number } | undefined

  constructor (burst: number, intervalMs: number) {
    this.#burst = burst
    this.#intervalMs = intervalMs
  }

  /** Counts one occurrence; true if it gets a line of its own, else it is added to the suppressed counts. */
  shouldLog (nowMs: number, key?: K): boolean {
    this.#seen++
    if (this.#seen <= this.#burst || nowMs - this.#lastLoggedMs >= this.#intervalMs) {
      this.#lastLoggedMs = nowMs
      return true
    }
    const s = this.#suppressed ??= { total: 0, byKey: emptyCounts<K>(), firstMs: nowMs, lastMs: nowMs }
    s.total++
    s.lastMs = nowMs
    if (key !== undefined) s.byKey[key] = (s.byKey[key] ?? 0) + 1
    return false
  }

  /** What was held back since the last take (undefined if nothing); to attach to the line just allowed. */
  takeSuppressed (): Suppressed<K> | undefined {
    const s = this.#suppressed
    this.#suppressed = undefined
    return s
  }

  /**
   * For a periodic timer: once an interval has passed since the last line, what was held back, which then
   * counts as a line; undefined otherwise. So a flood that stops is still reported within an interval.
   */
  flush (nowMs: number): Suppressed<K> | undefined {
    if (this.#suppressed === undefined || nowMs - this.#lastLoggedMs < this.#intervalMs) return undefined
    this.#lastLoggedMs = nowMs
    return this.takeSuppressed()
  }
}

function emptyCounts<K extends string> (): Partial<Record<K, number>> {
  return {}
}
