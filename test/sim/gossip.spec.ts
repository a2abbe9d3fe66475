import { describe, expect, it } from 'vitest'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { gossipSample, SIM_SERVICES } from '../../src/sim/gossip.ts'
import { seededRandom } from '../../src/util/random.ts'

const addrs: NetAddress[] = Array.from({ length: 50 }, (_, i) => ({ network: 'ipv4', host: `127.${i + 1}.0.1`, port: 18444 }))
const self = addrs[7] as NetAddress
const NOW_S = 1_700_000_000

describe('gossipSample', () => {
  it('samples distinct addresses other than the peer itself, at most max, with recent timestamps', () => {
    const sample = gossipSample(addrs, self, 20, seededRandom(1), NOW_S)
    expect(sample).toHaveLength(20)
    const hosts = sample.map((a) => a.addr.host)
    expect(new Set(hosts).size).toBe(20)
    expect(hosts).not.toContain(self.host)
    for (const a of sample) {
      expect(a.services).toBe(SIM_SERVICES)
      expect(a.time).toBeLessThanOrEqual(NOW_S)
      expect(a.time).toBeGreaterThan(NOW_S - 3 * 3600)
    }
  })

  it('returns everyone else when max exceeds the network, and is deterministic for a seed', () => {
    expect(gossipSample(addrs, self, 1000, seededRandom(2), NOW_S)).toHaveLength(49)
    expect(gossipSample(addrs, self, 10, seededRandom(3), NOW_S)).toEqual(gossipSample(addrs, self, 10, seededRandom(3), NOW_S))
    expect(gossipSample(addrs, self, 10, seededRandom(3), NOW_S)).not.toEqual(gossipSample(addrs, self, 10, seededRandom(4), NOW_S))
  })

  it('never produces a negative timestamp near the epoch (fake clocks start at 0)', () => {
    for (const a of gossipSample(addrs, self, 49, seededRandom(5), 10)) expect(a.time).toBeGreaterThanOrEqual(0)
  })
})
