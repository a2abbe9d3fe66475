import { randomBytes, randomFillSync } from 'node:crypto'

/**
 * The random source is injected wherever a decision is random (jitter, selection, timestamps) so tests
 * can assert exact outcomes. Security-relevant secrets (the address book key, nonces) use `bytes`.
 */
export interface Random {
  /** Uniform in [0, 1). */
  float(): number
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number
  bytes(length: number): Uint8Array
}

/** OS random bytes fetched per refill: an address pick draws dozens of numbers, one refill serves ~680 (48 bits each). */
export const RANDOM_POOL_BYTES = 4_096
const U48_BYTES = 6
const TWO_POW_48 = 2 ** 48

/**
 * Numbers from the OS CSPRNG, read from a pool refilled by `fill`: crypto.randomInt costs a call into
 * C++ and argument checks per number, which made address selection in a sparse book (Core's random
 * bucket probing) a visible part of a first start. Integers are unbiased (rejection sampling).
 */
export function pooledRandom (fill: (pool: Uint8Array) => void = randomFillSync, poolBytes = RANDOM_POOL_BYTES): Random {
  const pool = new Uint8Array(poolBytes)
  const view = new DataView(pool.buffer)
  let at = poolBytes
  const u48 = (): number => {
    if (at + U48_BYTES > poolBytes) {
      fill(pool)
      at = 0
    }
    const value = view.getUint32(at, true) + view.getUint16(at + 4, true) * 2 ** 32
    at += U48_BYTES
    return value
  }
  return {
    float: () => u48() / TWO_POW_48,
    int: (maxExclusive) => {
      if (maxExclusive <= 1) return 0
      const range = Math.min(maxExclusive, TWO_POW_48)
      const limit = TWO_POW_48 - (TWO_POW_48 % range)
      for (;;) {
        const value = u48()
        if (value < limit) return value % range
      }
    },
    bytes: (length) => new Uint8Array(randomBytes(length))
  }
}

export const systemRandom: Random = pooledRandom()

/** Deterministic generator (mulberry32) for tests, the simulator and benchmarks. Not for secrets. */
export function seededRandom (seed: number): Random {
  let state = seed >>> 0
  const next32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  const float = (): number => next32() / 2 ** 32
  return {
    float,
    int: (maxExclusive) => Math.floor(float() * maxExclusive),
    bytes: (length) => {
      const out = new Uint8Array(length)
      for (let i = 0; i < length; i++) out[i] = next32() & 0xff
      return out
    }
  }
}
