import type { Clock, TimerHandle } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import { PingState } from './ping-state.ts'
import type { PeerTimeouts } from './types.ts'

export interface KeepAliveComponents {
  clock: Clock
  random: Random
  /** Sends a ping carrying `nonce` to the peer. */
  sendPing(nonce: bigint): void
  /** A ping went unanswered or nothing arrived for too long: the peer left, and the session closes with `reason`. */
  onTimeout(reason: string): void
}

export type KeepAliveInit = Pick<PeerTimeouts, 'pingIntervalMs' | 'pingTimeoutMs' | 'idleTimeoutMs'>

/**
 * A session's liveness timers on the clock: the idle timer (nothing received for idleTimeoutMs) from the
 * handshake on, and once established a ping every pingIntervalMs, one in flight, answered within pingTimeoutMs.
 */
export class KeepAlive {
  readonly #c: KeepAliveComponents
  readonly #timeouts: KeepAliveInit
  readonly #ping = new PingState()
  #lastReceiveMs: number
  #idle: TimerHandle | undefined
  #pingInterval: TimerHandle | undefined
  #pingTimeout: TimerHandle | undefined

  constructor (components: KeepAliveComponents, init: KeepAliveInit) {
    this.#c = components
    this.#timeouts = init
    this.#lastReceiveMs = components.clock.now()
  }

  /** Round trip of the last answered ping, in ms (undefined before the first pong). */
  get latencyMs (): number | undefined { return this.#ping.latencyMs }
  /** The lowest round trip seen (Core's minping). */
  get minLatencyMs (): number | undefined { return this.#ping.minLatencyMs }

  /** Starts the idle timer, counting from now. */
  watchIdle (): void {
    this.#lastReceiveMs = this.#c.clock.now()
    this.#armIdle(this.#timeouts.idleTimeoutMs)
  }

  /** Pings now and every interval from now on. */
  startPings (): void {
    this.#pingInterval = this.#c.clock.setInterval(() => { this.#sendPing() }, this.#timeouts.pingIntervalMs)
    this.#sendPing()
  }

  /** Bytes arrived: the idle timer counts from `nowMs` (it re-arms itself for the rest when it fires). */
  received (nowMs: number): void {
    this.#lastReceiveMs = nowMs
  }

  /** The round trip if `nonce` answers the ping in flight (its timeout is then cleared); undefined for a stale or unsolicited pong. */
  pong (nonce: bigint, nowMs: number): number | undefined {
    const latency = this.#ping.answered(nonce, nowMs)
    if (latency === undefined) return undefined
    if (this.#pingTimeout !== undefined) this.#c.clock.clearTimeout(this.#pingTimeout)
    this.#pingTimeout = undefined
    return latency
  }

  /** Clears every timer (idempotent). */
  stop (): void {
    if (this.#idle !== undefined) this.#c.clock.clearTimeout(this.#idle)
    if (this.#pingTimeout !== undefined) this.#c.clock.clearTimeout(this.#pingTimeout)
    if (this.#pingInterval !== undefined) this.#c.clock.clearInterval(this.#pingInterval)
    this.#idle = this.#pingTimeout = this.#pingInterval = undefined
  }

  #sendPing (): void {
    const nonce = this.#ping.next(this.#c.random, this.#c.clock.now())
    if (nonce === undefined) return // one in flight: its timeout timer is running
    const timeoutMs = this.#timeouts.pingTimeoutMs
    this.#pingTimeout = this.#c.clock.setTimeout(() => { this.#c.onTimeout(`ping unanswered for ${timeoutMs} ms`) }, timeoutMs)
    this.#c.sendPing(nonce)
  }

  #armIdle (ms: number): void {
    this.#idle = this.#c.clock.setTimeout(() => {
      const quietMs = this.#c.clock.now() - this.#lastReceiveMs
      if (quietMs >= this.#timeouts.idleTimeoutMs) this.#c.onTimeout(`nothing received for ${quietMs} ms`)
      else this.#armIdle(this.#timeouts.idleTimeoutMs - quietMs)
    }, ms)
  }
}
