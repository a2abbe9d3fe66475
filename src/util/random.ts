import { randomBytes, randomInt } from 'node:crypto'

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

export const systemRandom: Random = {
  float: () => randomInt(0, 2 ** 48 - 1) / (2 ** 48 - 1),
  int: (maxExclusive) => maxExclusive <= 1 ? 0 : randomInt(0, Math.min(maxExclusive, 2 ** 48 - 1)),
  bytes: (length) => new Uint8Array(randomBytes(length))
}

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
