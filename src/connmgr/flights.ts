import type { Clock, TimerHandle } from '../util/clock.ts'
import type { ConnReq } from './conn-req.ts'
import { DialAbortedError } from './errors.ts'
import type { CancelReason } from './events.ts'
import { DialTimes } from './stagger.ts'

/** One dial under way: its abort handle and, for automatic requests, the stagger timer. */
export interface Flight {
  readonly req: ConnReq
  readonly controller: AbortController
  /** Clock time the dial started: its duration once it lands, and its stagger deadline. */
  readonly startedMs: number
  /** Called once the dial is overdue (automatic requests only). */
  readonly onOverdue: ((flight: Flight) => void) | undefined
  staggerTimer: TimerHandle | undefined
  /** Still in flight after the stagger delay (a slow or silent peer): it no longer holds a slot of the target. */
  overdue: boolean
  /** The dial reported its transport up (TCP connected), once. */
  connected: boolean
}

/** Why a dial is aborted: its request was removed, the target is reached, the pending cap needed its socket, or stop(). */
export type AbortReason = CancelReason | 'stopping'

/**
 * The dials in flight, by request id: started, landed (settled) or aborted, each exactly once; and the
 * stagger they are held to, fixed or learnt from the dials that connected and succeeded (stagger.ts).
 */
export class Flights {
  readonly #clock: Clock
  readonly #byId = new Map<number, Flight>()
  readonly #fixedStaggerMs: number | undefined
  readonly #times = new DialTimes()

  constructor (clock: Clock, fixedStaggerMs?: number) {
    this.#clock = clock
    this.#fixedStaggerMs = fixedStaggerMs
  }

  /** The current dial stagger in ms: the fixed one given, or what the dials so far imply. */
  get staggerMs (): number {
    return this.#fixedStaggerMs ?? this.#times.staggerMs()
  }

  /** Starts tracking a dial of `req`; `onOverdue` runs after `staggerMs` if it is still in flight. */
  start (req: ConnReq, stagger: { ms: number, onOverdue: (flight: Flight) => void } | undefined): Flight {
    const flight: Flight = { req, controller: new AbortController(), startedMs: this.#clock.now(), onOverdue: stagger?.onOverdue, staggerTimer: undefined, overdue: false, connected: false }
    this.#byId.set(req.id, flight)
    if (stagger !== undefined) this.#arm(flight, stagger.ms)
    return flight
  }

  /** A dial connected or succeeded in `ms`: when that moves a learnt stagger, the dials in flight follow it. */
  #observe (ms: number, what: 'connect' | 'dial'): void {
    const moved = what === 'dial' ? this.#times.record(ms) : this.#times.recordConnect(ms)
    if (moved && this.#fixedStaggerMs === undefined) this.#restagger(this.#times.staggerMs())
  }

  /** Every dial not yet overdue is due at its start + `ms` (at once if that has passed). */
  #restagger (ms: number): void {
    for (const flight of this.#byId.values()) {
      if (flight.staggerTimer === undefined) continue
      this.#clock.clearTimeout(flight.staggerTimer)
      this.#arm(flight, Math.max(0, flight.startedMs + ms - this.#clock.now()))
    }
  }

  #arm (flight: Flight, delayMs: number): void {
    flight.staggerTimer = this.#clock.setTimeout(() => {
      flight.staggerTimer = undefined
      if (this.#byId.get(flight.req.id) !== flight) return
      flight.overdue = true
      flight.onOverdue?.(flight)
    }, delayMs)
  }

  has (id: number): boolean {
    return this.#byId.has(id)
  }

  isCurrent (flight: Flight): boolean {
    return this.#byId.get(flight.req.id) === flight
  }

  isOverdue (id: number): boolean {
    return this.#byId.get(id)?.overdue === true
  }

  /** The dial's transport is up: the first time (while it is in flight) its connect time teaches the stagger. */
  connected (flight: Flight): void {
    if (flight.connected || !this.isCurrent(flight)) return
    flight.connected = true
    this.#observe(this.#clock.now() - flight.startedMs, 'connect')
  }

  /** The overdue automatic dial that started first (the likeliest silent peer), if any. */
  oldestOverdue (): Flight | undefined {
    let oldest: Flight | undefined
    for (const flight of this.#byId.values()) {
      if (flight.overdue && (oldest === undefined || flight.startedMs < oldest.startedMs)) oldest = flight
    }
    return oldest
  }

  /** The dial of `flight` is over: forget it and its stagger timer; a success teaches the stagger its duration. */
  land (flight: Flight, succeeded = false): void {
    if (flight.staggerTimer !== undefined) this.#clock.clearTimeout(flight.staggerTimer)
    flight.staggerTimer = undefined
    if (this.#byId.get(flight.req.id) === flight) this.#byId.delete(flight.req.id)
    if (succeeded) this.#observe(this.#clock.now() - flight.startedMs, 'dial')
  }

  /** Aborts the dial of request `id`, if one is in flight. */
  abort (id: number, reason: AbortReason): void {
    const flight = this.#byId.get(id)
    if (flight === undefined) return
    this.land(flight)
    flight.controller.abort(new DialAbortedError(reason, String(flight.req)))
  }

  abortAll (reason: AbortReason): void {
    for (const id of [...this.#byId.keys()]) this.abort(id, reason)
  }
}
