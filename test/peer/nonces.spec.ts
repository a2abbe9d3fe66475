import { describe, expect, it } from 'vitest'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import type { Random } from '../../src/util/random.ts'
import { seededRandom } from '../../src/util/random.ts'

describe('NonceRegistry', () => {
  it('issues distinct non-zero 64-bit nonces and forgets released ones', () => {
    const nonces = new NonceRegistry(seededRandom(9))
    const a = nonces.issue()
    const b = nonces.issue()
    expect(a).not.toBe(b)
    expect(a > 0n && a < 1n << 64n).toBe(true)
    expect(nonces.has(a)).toBe(true)
    nonces.release(a)
    expect(nonces.has(a)).toBe(false)
    expect(nonces.has(b)).toBe(true)
  })

  it('never issues 0 or a nonce still live', () => {
    const script = [new Uint8Array(8), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 2)]
    const random: Random = { float: () => 0, int: () => 0, bytes: () => script.shift() ?? new Uint8Array(8) }
    const nonces = new NonceRegistry(random)
    expect([nonces.issue(), nonces.issue()]).toEqual([1n, 2n])
  })
})
