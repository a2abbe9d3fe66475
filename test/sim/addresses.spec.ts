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

  it('puts peersPerGroup consecutive peers in one /16 and keeps every host unique', () => {
    const slash16 = (h: string): string => h.split('.').slice(0, 2).join('.')
    const hosts = Array.from({ length: 3 * 254 }, (_, i) => simHost(i, 3))
    expect(hosts.slice(0, 7)).toEqual(['127.1.0.1', '127.1.0.2', '127.1.0.3', '127.2.0.1', '127.2.0.2', '127.2.0.3', '127.3.0.1'])
    expect(new Set(hosts).size).toBe(hosts.length)
    expect(new Set(hosts.map(slash16)).size).toBe(254)
    expect(simHost(3 * 254, 3)).toBe('127.1.1.1')
    expect(Array.from({ length: 5 }, (_, i) => simHost(i, 1))).toEqual(Array.from({ length: 5 }, (_, i) => simHost(i)))
    expect(() => simHost(0, 0)).toThrow(/per group must be 1-254/)
    expect(() => simHost(0, 255)).toThrow(/per group must be 1-254/)
  })
})
