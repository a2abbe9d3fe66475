import { PeerRateLimiter, type PeerRateLimits, type RateOverrun } from '../ratelimit/peer-limits.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import { tarpitVerdict, type TarpitDeadlines } from './tarpit.ts'

/** The tarpit check runs this many times per (shorter) deadline, so a stall is caught within 10 % of it. */
const CHECKS_PER_DEADLINE = 10

export interface SessionGuardComponents {
  clock: Clock
  /** Bytes written to the socket and not yet taken by the kernel (socket.writableLength). */
  queuedBytes(): number
  /** Called once when the peer tarpits us; the session closes with `reason`. */
  onTarpit(reason: string): void
}

export interface SessionGuardInit {
  readonly rateLimits: PeerRateLimits
  readonly deadlines: TarpitDeadlines
}

/**
 * A session's defences against a peer that sends too much or too slowly: the per-connection rate limits
 * (charged by the session as data and messages arrive) and the tarpit deadlines (checked on a timer).
 */
export class SessionGuard {
  readonly #c: SessionGuardComponents
  readonly #deadlines: TarpitDeadlines
  readonly #limiter: PeerRateLimiter
  #timer: TimerHandle | undefined
  #lastQueued = 0
  #lastSendProgressMs: number
  #partialSinceMs: number | undefined
  #partialBytes = 0

  constructor (components: SessionGuardComponents, init: SessionGuardInit) {
    this.#c = components
    this.#deadlines = init.deadlines
    const now = components.clock.now()
    this.#limiter = new PeerRateLimiter(init.rateLimits, now)
    this.#lastSendProgressMs = now
  }

  /** Charges one socket read; the overrun if the byte limit refuses it. */
  received (bytes: number, nowMs: number): RateOverrun | undefined {
    return this.#limiter.bytes(bytes, nowMs)
  }

  /** Charges one decoded message; the overrun if the message limit refuses it. */
  message (nowMs: number): RateOverrun | undefined {
    return this.#limiter.message(nowMs)
  }

  /** After a read was decoded: `completed` messages came out and `buffered` bytes of the next wait. */
  decoded (completed: number, buffered: number, nowMs: number): void {
    this.#partialBytes = buffered
    if (buffered === 0) this.#partialSinceMs = undefined
    else if (completed > 0 || this.#partialSinceMs === undefined) this.#partialSinceMs = nowMs
  }

  start (): void {
    if (this.#timer !== undefined) return
    const everyMs = Math.min(this.#deadlines.sendStallMs, this.#deadlines.partialMessageMs) / CHECKS_PER_DEADLINE
    this.#timer = this.#c.clock.setInterval(() => { this.check() }, everyMs)
  }

  stop (): void {
    if (this.#timer !== undefined) this.#c.clock.clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** One tarpit check (the timer's; tests call it directly). */
  check (): void {
    const nowMs = this.#c.clock.now()
    const queued = this.#c.queuedBytes()
    if (queued === 0 || queued < this.#lastQueued) this.#lastSendProgressMs = nowMs
    this.#lastQueued = queued
    const reason = tarpitVerdict({ queuedBytes: queued, lastSendProgressMs: this.#lastSendProgressMs, partialSinceMs: this.#partialSinceMs, partialBytes: this.#partialBytes },
      this.#deadlines, nowMs)
    if (reason === undefined) return
    this.stop()
    this.#c.onTarpit(reason)
  }
}
