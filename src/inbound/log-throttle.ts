/**
 * Decides whether a repeated warning is worth a log line: the first `burst` occurrences, then at most one
 * per interval (btcd logs inbound rejections this way so a flood cannot flood the log too).
 */
export class LogThrottle {
  readonly #burst: number
  readonly #intervalMs: number
  #seen = 0
  #lastLoggedMs = -Infinity

  constructor (burst: number, intervalMs: number) {
    this.#burst = burst
    this.#intervalMs = intervalMs
  }

  shouldLog (nowMs: number): boolean {
    this.#seen++
    if (this.#seen <= this.#burst || nowMs - this.#lastLoggedMs >= this.#intervalMs) {
      this.#lastLoggedMs = nowMs
      return true
    }
    return false
  }
}
