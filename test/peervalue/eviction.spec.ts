import { describe, expect, it } from 'vitest'
import { keyedNetGroup, selectNodeToEvict, type EvictionCandidate } from '../../src/peervalue/eviction.ts'
import { seededRandom } from '../../src/util/random.ts'

/** Candidate `id` connected at id × 1 s (a lower id is an older connection), with nothing else to protect it. */
function candidate (id: number, keyedNetGroup: number, extra: Partial<EvictionCandidate> = {}): EvictionCandidate {
  return {
    id, connectedAtMs: id * 1_000, minPingMs: undefined, keyedNetGroup, lastNovelAddrMs: 0, value: 0,
    network: 'ipv4', isLocal: false, preferEvict: false, exempt: false, ...extra
  }
}

/**
 * 40 inbound peers: ids 0–29 from one crowded group (keyed 1), ids 30–39 from ten groups of their own
 * (keyed 1030–1039). With nothing else to tell them apart the rules protect, in order: 36–39 (highest keyed
 * groups), 0–7 (ping ties go to the lower id), 8–11 and 12–15 (ties on novel addresses and value go to the
 * older), then 16–25 (half of the 20 left, by uptime). Left: 26–35; the crowded group's youngest is 29.
 */
function crowd (change: (c: EvictionCandidate) => Partial<EvictionCandidate> = () => ({})): EvictionCandidate[] {
  return Array.from({ length: 40 }, (_, id) => {
    const c = candidate(id, id < 30 ? 1 : 1000 + id)
    return { ...c, ...change(c) }
  })
}

const only = (id: number, extra: Partial<EvictionCandidate>) => (c: EvictionCandidate): Partial<EvictionCandidate> => c.id === id ? extra : {}

describe('selectNodeToEvict', () => {
  const scenarios: Array<[string, EvictionCandidate[], number | undefined]> = [
    ['the youngest of the crowded group goes', crowd(), 29],
    ['a low ping protects it: the next youngest goes', crowd(only(29, { minPingMs: 1 })), 28],
    ['a novel address relayed lately protects it', crowd(only(29, { lastNovelAddrMs: 5 })), 28],
    ['a higher tag value protects it', crowd(only(29, { value: 10 })), 28],
    ['a negative value (ban score) does not protect', crowd(only(29, { value: -10 })), 29],
    ['an exempt peer (whitelisted, protected) is never a candidate', crowd(only(29, { exempt: true })), 28],
    ['a peer that prefers eviction goes first, whatever its group', crowd(only(33, { preferEvict: true })), 33],
    // Ids 26–29 on Tor: the ratio rule gives them the network quarter (4 of 5); uptime then protects only
    // 16–21, so 22–25 are the crowded group's unprotected and 25 is its youngest.
    ['Tor peers are protected from losing the uptime race', crowd((c) => c.id >= 26 && c.id <= 29 ? { network: 'torv3' } : {}), 25],
    ['localhost peers likewise', crowd((c) => c.id >= 26 && c.id <= 29 ? { isLocal: true } : {}), 25],
    ['everyone exempt: nobody is evicted', crowd(() => ({ exempt: true })), undefined],
    ['20 candidates: the four rules protect them all', crowd().slice(0, 20).map((c) => ({ ...c, keyedNetGroup: c.id })), undefined]
  ]
  it.each(scenarios)('%s', (_title, candidates, victim) => {
    expect(selectNodeToEvict(candidates).victim?.id).toBe(victim)
  })

  it('reports what decided: eligible, protections per rule, the victim\'s group size', () => {
    const d = selectNodeToEvict(crowd(only(0, { exempt: true })))
    expect(d.eligible).toBe(39)
    expect(d.protectedBy).toEqual({ netgroup: 4, ping: 8, novel_addrs: 4, value: 4, network: 0, uptime: 9 })
    expect(d.groupSize).toBe(4) // 26–29
    expect(d.victim?.id).toBe(29)
  })

  it('the netgroup rule protects the highest keyed groups, so the key decides which groups win', () => {
    const cs = Array.from({ length: 30 }, (_, id) => candidate(id, id))
    const d = selectNodeToEvict(cs)
    for (const id of [26, 27, 28, 29]) expect(d.victim?.id).not.toBe(id)
  })

  it('on equal group sizes, the group whose youngest connected last loses it', () => {
    // 30 peers in three groups of 10 (ids interleaved); the survivors' youngest is in group 2.
    const cs = Array.from({ length: 30 }, (_, id) => candidate(id, 10 + (id % 3)))
    const d = selectNodeToEvict(cs)
    expect(d.victim).toBeDefined()
    const survivorsYoungest = Math.max(...cs.filter((c) => c.keyedNetGroup === d.victim?.keyedNetGroup).map((c) => c.id))
    expect(d.victim?.id).toBe(survivorsYoungest)
  })

  it('with random candidates: 20 or fewer are never evicted, 29 or more always are, and protected sets never lose', () => {
    const random = seededRandom(15)
    for (let n = 0; n <= 120; n++) {
      const cs = Array.from({ length: n }, (_, id) => candidate(id, random.int(8), {
        connectedAtMs: random.int(1e6), minPingMs: random.int(500), lastNovelAddrMs: random.int(1e6), value: random.int(50)
      }))
      const d = selectNodeToEvict(cs)
      if (n <= 20) expect(d.victim).toBeUndefined()
      if (n >= 29) expect(d.victim).toBeDefined()
      if (d.victim === undefined) continue
      const v = d.victim
      const before = (key: (c: EvictionCandidate) => number, c: EvictionCandidate): boolean => key(c) < key(v) || (key(c) === key(v) && c.id < v.id)
      // At least 8 peers rank before the victim on ping, 4 on novel addresses and 4 on value.
      expect(cs.filter((c) => before((x) => x.minPingMs ?? 0, c)).length).toBeGreaterThanOrEqual(8)
      expect(cs.filter((c) => c.lastNovelAddrMs > v.lastNovelAddrMs).length).toBeGreaterThanOrEqual(4)
      expect(cs.filter((c) => c.value > v.value).length).toBeGreaterThanOrEqual(4)
    }
  })

  it('keyedNetGroup is stable under one key and differs between keys', () => {
    const a = Uint8Array.from({ length: 32 }, (_, i) => i)
    const b = Uint8Array.from({ length: 32 }, (_, i) => 255 - i)
    expect(keyedNetGroup('1.2.0.0/16', a)).toBe(keyedNetGroup('1.2.0.0/16', a))
    expect(keyedNetGroup('1.2.0.0/16', a)).not.toBe(keyedNetGroup('1.2.0.0/16', b))
    expect(keyedNetGroup('1.2.0.0/16', a)).not.toBe(keyedNetGroup('1.3.0.0/16', a))
  })
})
