import type { Random } from '../util/random.ts'

/**
 * The keep-alive ping of one session: at most one ping in flight, matched by nonce, and the round trips
 * it measured (the last and the lowest). Pure: time comes in as arguments.
 */
export class PingState {
  #nonce: bigint | undefined
  #sentMs = 0
  /** Round trip of the last answered ping, in ms (undefined before the first pong). */
  latencyMs: number | undefined
  /** The lowest round trip seen (Core's minping). */
  minLatencyMs: number | undefined

  /** A fresh random nonce for a ping sent now, or undefined while one is still in flight. */
  next (random: Random, nowMs: number): bigint | undefined {
    if (this.#nonce !== undefined) return undefined
    let nonce = 0n
    for (const b of random.bytes(8)) nonce = (nonce << 8n) | BigInt(b)
    this.#nonce = nonce
    this.#sentMs = nowMs
    return nonce
  }

  /** The round trip if `nonce` answers the ping in flight; undefined for a stale or unsolicited pong. */
  answered (nonce: bigint, nowMs: number): number | undefined {
    if (this.#nonce === undefined || nonce !== this.#nonce) return undefined
    this.#nonce = undefined
    const latency = Math.max(0, nowMs - this.#sentMs)
    this.latencyMs = latency
    this.minLatencyMs = Math.min(this.minLatencyMs ?? latency, latency)
    return latency
  }
}
