import type { Random } from '../util/random.ts'

/**
 * The nonces our live `version` messages carry, shared by all sessions of one node: a `version` that
 * arrives with one of them is our own, looped back (a connection to ourselves).
 */
export class NonceRegistry {
  readonly #random: Random
  readonly #live = new Set<bigint>()

  constructor (random: Random) {
    this.#random = random
  }

  /** A fresh random 64-bit nonce, registered until `release`. Never 0 (0 means "no nonce" on the wire). */
  issue (): bigint {
    for (;;) {
      const bytes = this.#random.bytes(8)
      let nonce = 0n
      for (const b of bytes) nonce = (nonce << 8n) | BigInt(b)
      if (nonce !== 0n && !this.#live.has(nonce)) {
        this.#live.add(nonce)
        return nonce
      }
    }
  }

  has (nonce: bigint): boolean {
    return this.#live.has(nonce)
  }

  release (nonce: bigint): void {
    this.#live.delete(nonce)
  }
}
