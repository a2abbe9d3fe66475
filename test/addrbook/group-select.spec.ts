import { describe, expect, it } from 'vitest'
import { GroupIndex } from '../../src/addrbook/group-index.ts'
import type { AddrBook } from '../../src/addrbook/addr-book.ts'
import type { Selection } from '../../src/addrbook/select.ts'
import { seededRandom } from '../../src/util/random.ts'
import { bookFixture, ipv4, routableAddresses, timed } from '../helpers/addr-book-fixture.ts'

describe('GroupIndex', () => {
  it('keeps groups and members through adds and deletes, and picks only what it holds', () => {
    type Item = { group: string, id: number }
    const index = new GroupIndex<Item>()
    const items = Array.from({ length: 50 }, (_, id) => ({ group: `g${id % 7}`, id }))
    for (const item of items) index.add(item)
    index.add(items[0] as Item) // twice: no effect
    expect(index.groupCount).toBe(7)
    expect(index.countIn('g0')).toBe(8)
    for (const item of items.filter((i) => i.group !== 'g3' && i.id % 2 === 0)) index.delete(item)
    for (const item of items.filter((i) => i.group === 'g3')) index.delete(item)
    expect(index.groupCount).toBe(6)
    expect(index.countIn('g3')).toBe(0)
    expect(index.pickIn('g3', () => 0)).toBeUndefined()
    const left = new Set(items.filter((i) => i.group !== 'g3' && i.id % 2 === 1))
    const random = seededRandom(1)
    for (let n = 0; n < 500; n++) {
      const group = index.pickGroup((k) => random.int(k)) as string
      expect(group).not.toBe('g3')
      expect(left.has(index.pickIn(group, (k) => random.int(k)) as Item)).toBe(true)
    }
    index.clear()
    expect(index.pickGroup((k) => random.int(k))).toBeUndefined()
  })
})

const firstOctet = (host: string | undefined): number => Number(host?.split('.')[0])

/**
 * 30 groups of one address each, and 10 groups of 300 (an attacker's), all in the new table; each attacker
 * group's addresses come from all 10 attacker groups as sources, so they spread over many new buckets.
 */
function floodedBook (selection: Selection): { book: AddrBook, clock: { advance(ms: number): void } } {
  const { book, clock } = bookFixture({ selection })
  for (let g = 0; g < 30; g++) book.add([timed(ipv4(`${20 + g}.1.1.1`))], ipv4(`${20 + g}.1.1.1`))
  for (let g = 0; g < 10; g++) {
    for (let s = 0; s < 10; s++) {
      book.add(Array.from({ length: 30 }, (_, i) => timed(ipv4(`${100 + g}.7.${s}.${i + 1}`))), ipv4(`${100 + s}.0.0.1`))
    }
  }
  return { book, clock }
}

const attackerShare = (book: AddrBook, draws = 4000): number => {
  let attacker = 0
  for (let i = 0; i < draws; i++) if (firstOctet(book.select()?.addr.host) >= 100) attacker++
  return attacker / draws
}

describe('group-first selection (the default)', () => {
  it('picks a group of 300 addresses about as often as a group of one', () => {
    const { book } = floodedBook('group')
    const draws = 40_000
    const perGroup = new Map<number, number>()
    for (let i = 0; i < draws; i++) {
      const octet = firstOctet(book.select()?.addr.host)
      perGroup.set(octet, (perGroup.get(octet) ?? 0) + 1)
    }
    expect(perGroup.size).toBe(40)
    // Expected 1,000 draws per group (sd ~31): every group, big or small, within 12 %.
    for (const count of perGroup.values()) {
      expect(count).toBeGreaterThan(880)
      expect(count).toBeLessThan(1120)
    }
    const mean = (octets: number[]): number => octets.reduce((a, o) => a + (perGroup.get(o) ?? 0), 0) / octets.length
    const big = mean(Array.from({ length: 10 }, (_, g) => 100 + g))
    const small = mean(Array.from({ length: 30 }, (_, g) => 20 + g))
    expect(big / small).toBeGreaterThan(0.95)
    expect(big / small).toBeLessThan(1.05)
  })

  it('is the book\'s default, and Core\'s bucket walk is kept with selection core', () => {
    expect(attackerShare(floodedBook('group').book)).toBeGreaterThan(0.22)
    expect(attackerShare(floodedBook('group').book)).toBeLessThan(0.28)
    const { book: defaulted } = bookFixture()
    for (let g = 0; g < 3; g++) defaulted.add([timed(ipv4(`${20 + g}.1.1.1`))], undefined)
    defaulted.add(Array.from({ length: 300 }, (_, i) => timed(ipv4(`100.7.${i >> 6}.${(i & 63) + 1}`))), ipv4('100.0.0.1'))
    let flood = 0
    for (let i = 0; i < 4000; i++) if (firstOctet(defaulted.select()?.addr.host) === 100) flood++
    expect(flood / 4000).toBeGreaterThan(0.2) // one group of four: a quarter
    expect(flood / 4000).toBeLessThan(0.3)
    expect(attackerShare(floodedBook('core').book)).toBeGreaterThan(0.5) // Core's bucket walk: the flood's buckets win
  })

  it('draws groups from the whole book, and chooses tried or new within the group', () => {
    const { book, clock } = floodedBook('group')
    for (let g = 0; g < 30; g++) book.good(ipv4(`${20 + g}.1.1.1`))
    for (let g = 0; g < 10; g++) book.good(ipv4(`${100 + g}.7.0.1`))
    expect(book.size().tried).toBe(40)
    clock.advance(11 * 60_000) // past Core's 10-minute penalty on just-tried addresses
    // The new table now holds only the attacker's groups, but groups are drawn from the whole book: still a quarter.
    let attacker = 0
    let attackerTried = 0
    for (let i = 0; i < 8000; i++) {
      const entry = book.select()
      if (firstOctet(entry?.addr.host) < 100) continue
      attacker++
      if (entry?.tried === true) attackerTried++
    }
    expect(attacker / 8000).toBeGreaterThan(0.22)
    expect(attacker / 8000).toBeLessThan(0.28)
    // Within an attacker group (1 tried, 299 new), Core's even odds between the tables.
    expect(attackerTried / attacker).toBeGreaterThan(0.45)
    expect(attackerTried / attacker).toBeLessThan(0.55)
    // Feelers draw from new only: there, every group is the attacker's.
    expect(Array.from({ length: 200 }, () => book.select(true)).every((e) => e !== undefined && !e.tried && firstOctet(e.addr.host) >= 100)).toBe(true)
  })

  it('rarely draws a group whose only address failed just now', () => {
    const { book, clock } = bookFixture({ selection: 'group' })
    for (let g = 0; g < 20; g++) book.add([timed(ipv4(`${20 + g}.1.1.1`))], undefined)
    for (let g = 0; g < 10; g++) book.attempt(ipv4(`${20 + g}.1.1.1`), true)
    const failedPicks = (): number => {
      let n = 0
      for (let i = 0; i < 4000; i++) if (firstOctet(book.select()?.addr.host) < 30) n++
      return n / 4000
    }
    expect(failedPicks()).toBeLessThan(0.03) // chance × 0.01 for 10 minutes after an attempt
    clock.advance(11 * 60_000)
    const later = failedPicks() // then × 0.66 per failure: 0.66 / 1.66 of the draws
    expect(later).toBeGreaterThan(0.34)
    expect(later).toBeLessThan(0.46)
  })

  it('keeps its group index right as addresses move between the tables and leave the book', () => {
    const { book } = floodedBook('group')
    // Promote and displace through the tables, then check every pick comes from a group the book holds.
    for (let s = 0; s < 10; s++) for (let i = 1; i <= 30; i++) book.good(ipv4(`100.7.${s}.${i}`))
    const held = new Set(book.exportRecords().map((r) => r.key))
    for (let i = 0; i < 2000; i++) expect(held.has(book.select()?.key ?? '')).toBe(true)
    for (let i = 0; i < 2000; i++) {
      const entry = book.select(true)
      expect(entry?.tried).toBe(false)
      expect(held.has(entry?.key ?? '')).toBe(true)
    }
  })
})

describe('Core\'s selection (selection core)', () => {
  it('draws exactly what it drew before group-first became the default (the picks of main at 8d4aed2)', () => {
    const { book, random, clock } = bookFixture({ selection: 'core' }, 5)
    const addrs = routableAddresses(random, 3000)
    for (let i = 0; i < 30; i++) book.add(addrs.slice(i * 100, i * 100 + 100).map((a) => timed(a)), ipv4(`${20 + i}.1.1.1`))
    for (const a of addrs.slice(0, 300)) book.good(a)
    for (const a of addrs.slice(300, 400)) book.attempt(a, true)
    clock.advance(60_000)
    const picks = Array.from({ length: 16 }, (_, i) => book.select(i % 4 === 0)?.key)
    expect(picks).toEqual([
      '7.149.131.158:8333', '4.33.113.86:8333', '5.62.190.55:8333', '3.174.198.117:8333',
      '8.97.25.33:8333', '4.119.188.234:8333', '6.46.155.251:8333', '5.49.6.172:8333',
      '2.66.254.186:8333', '2.158.192.163:8333', '9.40.196.15:8333', '4.194.80.169:8333',
      '6.126.52.131:8333', '1.239.250.44:8333', '4.48.214.95:8333', '7.72.16.43:8333'
    ])
  })
})
