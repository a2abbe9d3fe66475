import { describe, expect, it } from 'vitest'
import { MAX_SIM_PEERS, simHost } from '../../src/sim/addresses.ts'

describe('sim addresses', () => {
  it('gives the first 254 peers distinct /16 groups, never 127.0.x.x', () => {
    const hosts = Array.from({ length: 254 }, (_, i) => simHost(i))
    expect(new Set(hosts.map((h) => h.split('.').slice(0, 2).join('.'))).size).toBe(254)
    expect(hosts.every((h) => /^127\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])\.0\.1$/.test(h))).toBe(true)
  })

  it('keeps every host unique up to the limit and refuses beyond it', () => {
    expect(simHost(254)).toBe('127.1.1.1')
    const all = new Set(Array.from({ length: MAX_SIM_PEERS }, (_, i) => simHost(i)))
    expect(all.size).toBe(MAX_SIM_PEERS)
    expect(() => simHost(MAX_SIM_PEERS)).toThrow(/out of range/)
    expect(() => simHost(-1)).toThrow(/out of range/)
  })
})
