import { describe, expect, it } from 'vitest'
import { GroupIndex } from '../../src/addrbook/group-index.ts'
import type { AddrBook } from '../../src/addrbook/addr-book.ts'
import { seededRandom } from '../../src/util/random.ts'
import { bookFixture, ipv4, timed } from '../helpers/addr-book-fixture.ts'

describe('GroupIndex', () => {
  it('keeps groups and members through adds and deletes, and picks only what it holds', () => {
    const index = new GroupIndex<{ group: string, id: number }>()
    const items = Array.from({ length: 50 }, (_, id) => ({ group: `g${id % 7}`, id }))
    for (const item of items) index.add(item)
    index.add(items[0] as { group: string, id: number }) // twice: no effect
    expect(index.groupCount).toBe(7)
    for (const item of items.filter((i) => i.group !== 'g3' && i.id % 2 === 0)) index.delete(item)
    for (const item of items.filter((i) => i.group === 'g3')) index.delete(item)
    expect(index.groupCount).toBe(6)
    const left = new Set(items.filter((i) => i.group !== 'g3' && i.id % 2 === 1))
    const random = seededRandom(1)
    for (let n = 0; n < 500; n++) expect(left.has(index.pick((k) => random.int(k)) as { group: string, id: number })).toBe(true)
    index.clear()
    expect(index.pick((k) => random.int(k))).toBeUndefined()
  })
})

/**
 * 30 groups of one address each, and 10 groups of 300 (an attacker's), all in the new table; each attacker
 * group's addresses come from all 10 attacker groups as sources, so they spread over many new buckets.
 */
function floodedBook (selectByGroup: boolean): { book: AddrBook, clock: { advance(ms: number): void } } {
  const { book, clock } = bookFixture({ selectByGroup })
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
  for (let i = 0; i < draws; i++) if (Number(book.select()?.addr.host.split('.')[0]) >= 100) attacker++
  return attacker / draws
}

describe('selectByGroup', () => {
  it('gives each group the same odds however many addresses it holds', () => {
    expect(attackerShare(floodedBook(true).book)).toBeGreaterThan(0.22)
    expect(attackerShare(floodedBook(true).book)).toBeLessThan(0.28)
    expect(attackerShare(floodedBook(false).book)).toBeGreaterThan(0.5) // Core's bucket walk: the flood's buckets win
  })

  it('draws groups from the whole book, whichever table their addresses are in', () => {
    const { book, clock } = floodedBook(true)
    for (let g = 0; g < 30; g++) book.good(ipv4(`${20 + g}.1.1.1`))
    for (let g = 0; g < 10; g++) book.good(ipv4(`${100 + g}.7.0.1`))
    expect(book.size().tried).toBe(40)
    clock.advance(11 * 60_000) // past Core's 10-minute penalty on just-tried addresses
    // The new table now holds only the attacker's groups, but groups are drawn from the whole book: still a quarter.
    const share = attackerShare(book)
    expect(share).toBeGreaterThan(0.2)
    expect(share).toBeLessThan(0.3)
    // Feelers draw from new only: there, every group is the attacker's.
    expect(Array.from({ length: 200 }, () => book.select(true)).every((e) => e !== undefined && !e.tried && Number(e.addr.host.split('.')[0]) >= 100)).toBe(true)
  })
})
