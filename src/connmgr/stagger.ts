/**
 * The dial stagger: how long an automatic dial may be in flight before another starts beside it. It
 * follows the dials the manager has seen succeed (connect + handshake) and the TCP connects it has seen,
 * so a silent peer is recognised after a few handshake times rather than after a fixed second:
 * milliseconds on a LAN, a second or two through Tor.
 */

/** A dial taking this many times the usual handshake is likely a silent or slow peer. */
export const STAGGER_HANDSHAKE_MULTIPLE = 3
/**
 * Lower bound: on a LAN or loopback (handshakes of 1–3 ms) a dial is slow after 10 ms. It binds only
 * there (internet handshakes take 50 ms and more); it limits each slot to one more dial per 10 ms, and the
 * pending cap (maxPendingDials) bounds the sockets whatever the pace.
 */
export const MIN_DIAL_STAGGER_MS = 10
/** Upper bound: over Tor a handshake takes seconds; a companion within 2 s keeps the start moving. */
export const MAX_DIAL_STAGGER_MS = 2_000
/** Before any dial has connected: the slow end of handshakes on the real internet (50–500 ms). */
export const INITIAL_DIAL_STAGGER_MS = 500
/**
 * A dial is expected to take this many times its TCP connect (one round trip): a v1 handshake adds one
 * more (version out, version and verack back), BIP324 one beyond. So the stagger follows the network from
 * the first connect (silent peers accept too) instead of holding every slot for INITIAL_DIAL_STAGGER_MS
 * when the first picks are all silent, and fast connects pull it down when the first handshakes were slow
 * only because the process was busy (a fresh process taking in DNS answers).
 */
export const DIAL_TIMES_PER_CONNECT = 3
/** Successful dials remembered: enough for a stable quantile, few enough to follow a changed network. */
export const DIAL_TIME_SAMPLES = 16
/**
 * The stagger multiplies the edge of the fastest quarter of those dials, not their median: a fresh
 * process runs its first handshakes in cold code while it takes in the DNS answers, so they take tens
 * of times a later one (30–100 ms against 1 ms on loopback) and a median of them held the stagger there
 * for the whole start. The fast quarter says what the network allows; a slower honest peer only gets a
 * companion dial, within the pending cap. With 4 samples or fewer it is the fastest one.
 */
export const DIAL_TIME_QUANTILE = 0.25

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

/** The stagger for a typical dial time (undefined: none seen yet), within the bounds; whole milliseconds. */
export function staggerDelayMs (typicalDialMs: number | undefined, bounds: StaggerBounds = DEFAULT_STAGGER_BOUNDS): number {
  if (typicalDialMs === undefined) return bounds.initialMs
  return Math.round(Math.min(bounds.maxMs, Math.max(bounds.minMs, bounds.multiple * typicalDialMs)))
}

/** The last DIAL_TIME_SAMPLES durations of one kind, and their DIAL_TIME_QUANTILE. */
class RecentTimes {
  readonly #samples: number[] = []
  #next = 0

  record (durationMs: number): void {
    if (this.#samples.length < DIAL_TIME_SAMPLES) this.#samples.push(durationMs)
    else this.#samples[this.#next] = durationMs
    this.#next = (this.#next + 1) % DIAL_TIME_SAMPLES
  }

  /** The DIAL_TIME_QUANTILE (a sample, the lower one of a tie), or undefined before any. */
  quantile (): number | undefined {
    if (this.#samples.length === 0) return undefined
    const sorted = [...this.#samples].sort((a, b) => a - b)
    return sorted[Math.floor((sorted.length - 1) * DIAL_TIME_QUANTILE)]
  }
}

/**
 * The last successful dial durations (connect + handshake) and TCP connect durations, and the stagger
 * they imply: the lower of the two estimates.
 */
export class DialTimes {
  readonly #dials = new RecentTimes()
  readonly #connects = new RecentTimes()
  readonly #bounds: StaggerBounds

  constructor (bounds: StaggerBounds = DEFAULT_STAGGER_BOUNDS) {
    this.#bounds = bounds
  }

  /** Records one successful dial; returns whether the stagger changed. */
  record (durationMs: number): boolean {
    return this.#changes(() => { this.#dials.record(durationMs) })
  }

  /** Records one dial's TCP connect (the peer accepted; its handshake may never come); returns whether the stagger changed. */
  recordConnect (durationMs: number): boolean {
    return this.#changes(() => { this.#connects.record(durationMs) })
  }

  /** The dial time the stagger multiplies: the lower of what the dials and the connects say, undefined before either. */
  typical (): number | undefined {
    const dial = this.#dials.quantile()
    const connect = this.#connects.quantile()
    const fromConnects = connect === undefined ? undefined : DIAL_TIMES_PER_CONNECT * connect
    if (dial === undefined || fromConnects === undefined) return dial ?? fromConnects
    return Math.min(dial, fromConnects)
  }

  staggerMs (): number {
    return staggerDelayMs(this.typical(), this.#bounds)
  }

  #changes (record: () => void): boolean {
    const before = this.staggerMs()
    record()
    return this.staggerMs() !== before
  }
}
