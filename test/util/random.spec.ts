import { describe, expect, it } from 'vitest'
import { pooledRandom } from '../../src/util/random.ts'

/** A fill that writes the given 48-bit values (little-endian, 6 bytes each), then zeros; counts refills. */
function scripted (values: number[]): { fill: (pool: Uint8Array) => void, refills: () => number } {
  let refills = 0
  return {
    fill: (pool) => {
      refills++
      pool.fill(0)
      const view = new DataView(pool.buffer, pool.byteOffset)
      values.splice(0, Math.floor(pool.length / 6)).forEach((v, i) => {
        view.setUint32(i * 6, v % 2 ** 32, true)
        view.setUint16(i * 6 + 4, Math.floor(v / 2 ** 32), true)
      })
    },
    refills: () => refills
  }
}

describe('pooledRandom', () => {
  it('reads 48-bit numbers from the pool and refills it only when it runs out', () => {
    const source = scripted([5, 2 ** 47, 2 ** 48 - 1, 7])
    const random = pooledRandom(source.fill, 12)
    expect(random.int(10)).toBe(5)
    expect(random.float()).toBe(0.5)
    expect(source.refills()).toBe(1)
    expect(random.float()).toBe((2 ** 48 - 1) / 2 ** 48)
    expect(random.int(10)).toBe(7)
    expect(source.refills()).toBe(2)
  })

  it('rejects values past the last whole multiple of the range, so integers are unbiased', () => {
    const range = 3
    const limit = 2 ** 48 - (2 ** 48 % range)
    const random = pooledRandom(scripted([limit, 2 ** 48 - 1, 4]).fill, 18)
    expect(random.int(range)).toBe(1)
  })

  it('answers 0 below 2 and stays in range on the OS source', () => {
    const random = pooledRandom()
    expect(random.int(1)).toBe(0)
    expect(random.int(0)).toBe(0)
    const seen = new Set<number>()
    for (let i = 0; i < 2_000; i++) {
      const v = random.int(7)
      expect(Number.isInteger(v) && v >= 0 && v < 7).toBe(true)
      seen.add(v)
      const f = random.float()
      expect(f >= 0 && f < 1).toBe(true)
    }
    expect(seen.size).toBe(7)
  })
})
