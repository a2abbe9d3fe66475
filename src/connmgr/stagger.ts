/**
 * The dial stagger: how long an automatic dial may be in flight before another starts beside it. It
 * follows the dials the manager has seen succeed (connect + handshake), so a silent peer is recognised
 * after a few handshake times rather than after a fixed second: milliseconds on a LAN, a second or
 * two through Tor.
 */

/** A dial taking this many times the usual handshake is likely a silent or slow peer. */
export const STAGGER_HANDSHAKE_MULTIPLE = 3
/** Lower bound: even on loopback, wait this long before counting a dial as slow (a socket more per 25 ms at most). */
export const MIN_DIAL_STAGGER_MS = 25
/** Upper bound: over Tor a handshake takes seconds; a companion within 2 s keeps the start moving. */
export const MAX_DIAL_STAGGER_MS = 2_000
/** Before any dial has succeeded: the slow end of handshakes on the real internet (50–500 ms). */
export const INITIAL_DIAL_STAGGER_MS = 500
/** Successful dials remembered: enough for a stable median, few enough to follow a changed network. */
export const DIAL_TIME_SAMPLES = 16

export interface StaggerBounds {
  readonly initialMs: number
  readonly minMs: number
  readonly maxMs: number
  readonly multiple: number
}

export const DEFAULT_STAGGER_BOUNDS: StaggerBounds = {
  initialMs: INITIAL_DIAL_STAGGER_MS,
  minMs: MIN_DIAL_STAGGER_MS,
  maxMs: MAX_DIAL_STAGGER_MS,
  multiple: STAGGER_HANDSHAKE_MULTIPLE
}

/** The stagger for a median dial time (undefined: none seen yet), within the bounds; whole milliseconds. */
export function staggerDelayMs (medianDialMs: number | undefined, bounds: StaggerBounds = DEFAULT_STAGGER_BOUNDS): number {
  if (medianDialMs === undefined) return bounds.initialMs
  return Math.round(Math.min(bounds.maxMs, Math.max(bounds.minMs, bounds.multiple * medianDialMs)))
}

/** The last DIAL_TIME_SAMPLES successful dial durations and the stagger they imply. */
export class DialTimes {
  readonly #samples: number[] = []
  readonly #bounds: StaggerBounds
  #next = 0

  constructor (bounds: StaggerBounds = DEFAULT_STAGGER_BOUNDS) {
    this.#bounds = bounds
  }

  /** Records one successful dial; returns whether the stagger changed. */
  record (durationMs: number): boolean {
    const before = this.staggerMs()
    if (this.#samples.length < DIAL_TIME_SAMPLES) this.#samples.push(durationMs)
    else this.#samples[this.#next] = durationMs
    this.#next = (this.#next + 1) % DIAL_TIME_SAMPLES
    return this.staggerMs() !== before
  }

  median (): number | undefined {
    if (this.#samples.length === 0) return undefined
    const sorted = [...this.#samples].sort((a, b) => a - b)
    const mid = sorted.length >> 1
    return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  }

  staggerMs (): number {
    return staggerDelayMs(this.median(), this.#bounds)
  }
}
