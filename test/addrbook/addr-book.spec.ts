import { describe, expect, it } from 'vitest'
import { AddrBook, GOSSIP_TIME_PENALTY_S, NEW_BUCKETS_PER_ADDRESS } from '../../src/addrbook/addr-book.ts'
import { isTerrible, REFUSED_HOLD_S, selectionChance } from '../../src/addrbook/addr-entry.ts'
import { selectOutbound } from '../../src/addrbook/select-outbound.ts'
import { SELECTIONS } from '../../src/addrbook/select.ts'
import { internalAddress } from '../../src/addrbook/netgroup.ts'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import type { AddrInfo } from '../../src/addrbook/addr-entry.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { seededRandom } from '../../src/util/random.ts'
import { BOOK_START_S, bookFixture, ipv4, routableAddresses, timed } from '../helpers/addr-book-fixture.ts'
import { manualClock } from '../helpers/manual-clock.ts'
import { AddrBookError } from '../../src/addrbook/errors.ts'

const DAY_S = 24 * 3600
const newBuckets = (book: AddrBook): Set<number> => new Set(book.exportRecords().flatMap((r) => r.newRefs.map((p) => p >> 6)))

describe('placement', () => {
  it('one source group reaches at most 64 new buckets however many addresses it sends', () => {
    const { book, random } = bookFixture()
    const addrs = routableAddresses(random, 20_000)
    book.add(addrs.map((a) => timed(a)), ipv4('50.1.2.3'))
    book.add(addrs.map((a) => timed(a)), ipv4('50.1.9.9')) // same /16: same source group
    expect(book.size().new).toBeGreaterThan(1000)
    expect(book.size().new).toBeLessThanOrEqual(64 * 64)
    expect(newBuckets(book).size).toBeLessThanOrEqual(64)
    book.add(routableAddresses(random, 2000).map((a) => timed(a)), ipv4('60.1.2.3'))
    expect(newBuckets(book).size).toBeGreaterThan(64)
  })

  it('each DNS seed is its own source group: one seed flooding the book leaves the others their buckets', () => {
    const { book, random } = bookFixture()
    const flood = routableAddresses(random, 20_000).map((a) => timed(a))
    book.add(flood, internalAddress('bad-seed.example'))
    const floodBuckets = newBuckets(book)
    expect(floodBuckets.size).toBeLessThanOrEqual(64)
    const honest = routableAddresses(random, 32).map((a) => timed(a))
    book.add(honest, internalAddress('good-seed.example'))
    const honestRecords = book.exportRecords().filter((r) => honest.some((t) => addrKey(t.addr) === r.key))
    expect(honestRecords.length).toBeGreaterThan(28) // only collisions among themselves lose a few
    expect(honestRecords.some((r) => r.newRefs.some((p) => !floodBuckets.has(p >> 6)))).toBe(true)
    // Seeds are not gossip: no 2 h penalty on what they give.
    expect(book.get(honest[0]?.addr ?? ipv4('0.0.0.0'))?.time).toBe(honest[0]?.time)
  })

  it('addresses of one group from one source share a single bucket', () => {
    const { book, random } = bookFixture()
    book.add(routableAddresses(random, 300, '5.6').map((a) => timed(a)), ipv4('50.1.2.3'))
    expect(newBuckets(book).size).toBe(1)
    expect(book.size().new).toBeLessThanOrEqual(64)
  })

  it('is deterministic for a fixed key and changes with the key', () => {
    const addrs = routableAddresses(seededRandom(9), 500)
    const positions = (key: Uint8Array): string => {
      const { book } = bookFixture({ key })
      book.add(addrs.map((a) => timed(a)), ipv4('50.1.2.3'))
      return JSON.stringify(book.exportRecords().map((r) => [r.key, r.newRefs]).sort())
    }
    const keyA = new Uint8Array(32).fill(1)
    const keyB = new Uint8Array(32).fill(2)
    expect(positions(keyA)).toBe(positions(keyA))
    expect(positions(keyA)).not.toBe(positions(keyB))
  })

  it('generates the key from Random when none is given and rejects a key of the wrong size', () => {
    const { book } = bookFixture({ key: undefined }, 5)
    expect(book.key).toEqual(seededRandom(5).bytes(32))
    expect(() => bookFixture({ key: new Uint8Array(31) })).toThrow(AddrBookError)
  })

  it('an address gains new references from other source groups, stochastically and at most 8', () => {
    const { book } = bookFixture()
    const addr = ipv4('5.6.7.8')
    for (let i = 0; i < 200; i++) book.add([timed(addr, 3600 - i * 10)], ipv4(`${20 + (i % 100)}.${i}.1.1`))
    const refs = book.exportRecords()[0]?.newRefs.length ?? 0
    expect(refs).toBeGreaterThan(1)
    expect(refs).toBeLessThanOrEqual(NEW_BUCKETS_PER_ADDRESS)
  })
})

describe('add', () => {
  it('refuses unroutable addresses and port 0 unless allowLocal permits local ones', () => {
    const strict = bookFixture().book
    expect(strict.add([timed(ipv4('127.0.0.1')), timed(ipv4('10.1.1.1')), timed(ipv4('8.8.8.8', 0))], undefined)).toBe(0)
    expect(strict.add([timed(ipv4('8.8.8.8'))], undefined)).toBe(1)
    const local = bookFixture({ allowLocal: true }).book
    expect(local.add([timed(ipv4('127.0.0.1')), timed(ipv4('10.1.1.1')), timed(ipv4('0.0.0.0'))], undefined)).toBe(2)
    expect(local.get(ipv4('127.0.0.1'))?.group).toBe('127.0.0.0/16')
  })

  it('replaces absurd timestamps with now − 5 days and ages gossip by 2 h, but not self-announcements', () => {
    const { book } = bookFixture()
    const peer = ipv4('50.1.2.3')
    book.add([
      { addr: ipv4('1.1.1.1'), services: 1n, time: 5 },
      { addr: ipv4('1.2.1.1'), services: 1n, time: BOOK_START_S + 3600 },
      { addr: ipv4('1.3.1.1'), services: 1n, time: BOOK_START_S - 100 },
      { addr: peer, services: 1n, time: BOOK_START_S - 100 }
    ], peer)
    book.add([{ addr: ipv4('1.4.1.1'), services: 1n, time: BOOK_START_S - 100 }], undefined)
    expect(book.get(ipv4('1.1.1.1'))?.time).toBe(BOOK_START_S - 5 * DAY_S - GOSSIP_TIME_PENALTY_S)
    expect(book.get(ipv4('1.2.1.1'))?.time).toBe(BOOK_START_S - 5 * DAY_S - GOSSIP_TIME_PENALTY_S)
    expect(book.get(ipv4('1.3.1.1'))?.time).toBe(BOOK_START_S - 100 - GOSSIP_TIME_PENALTY_S)
    expect(book.get(peer)?.time).toBe(BOOK_START_S - 100)
    expect(book.get(ipv4('1.4.1.1'))?.time).toBe(BOOK_START_S - 100)
    expect(book.get(ipv4('1.3.1.1'))?.source).toEqual(peer)
  })

  it('merges services and refreshes time of known addresses', () => {
    const { book } = bookFixture()
    book.add([timed(ipv4('1.1.1.1'), 3 * DAY_S, 1n)], undefined)
    book.add([timed(ipv4('1.1.1.1'), 60, 8n)], undefined)
    expect(book.get(ipv4('1.1.1.1'))).toMatchObject({ services: 9n, time: BOOK_START_S - 60 })
  })
})

describe('terrible rules and chance', () => {
  const base: AddrInfo = { key: 'k', addr: ipv4('1.1.1.1'), group: '1.1.0.0/16', services: 1n, source: undefined, time: BOOK_START_S - 3600, attempts: 0, lastAttempt: 0, lastCountAttempt: 0, lastSuccess: 0, tried: false, refusedUntil: 0, v1Only: false }
  const now = BOOK_START_S

  it.each([
    ['a fresh address', {}, false],
    ['a timestamp 11 min in the future', { time: now + 11 * 60 }, true],
    ['a timestamp 9 min in the future', { time: now + 9 * 60 }, false],
    ['not seen for 31 days', { time: now - 31 * DAY_S }, true],
    ['3 attempts, never a success', { attempts: 3 }, true],
    ['2 attempts, never a success', { attempts: 2 }, false],
    ['10 failures, last success 8 days ago', { attempts: 10, lastSuccess: now - 8 * DAY_S }, true],
    ['10 failures, last success 6 days ago', { attempts: 10, lastSuccess: now - 6 * DAY_S }, false],
    ['9 failures, last success 8 days ago', { attempts: 9, lastSuccess: now - 8 * DAY_S }, false],
    ['terrible but tried 30 s ago', { attempts: 5, lastAttempt: now - 30 }, false],
    ['terrible and tried 2 min ago', { attempts: 5, lastAttempt: now - 120 }, true],
    ['refused by its node 30 s ago (another network)', { lastAttempt: now - 30, refusedUntil: now - 30 + REFUSED_HOLD_S }, true],
    ['refused, but the hold ran out', { lastAttempt: now - REFUSED_HOLD_S, refusedUntil: now }, false]
  ] as const)('%s → terrible: %s', (_name, change, terrible) => {
    expect(isTerrible({ ...base, ...change }, now)).toBe(terrible)
  })

  it('chance is 0.66^min(attempts, 8), ×0.01 within 10 minutes of an attempt', () => {
    expect(selectionChance(base, now)).toBe(1)
    expect(selectionChance({ ...base, attempts: 2 }, now)).toBeCloseTo(0.66 ** 2, 12)
    expect(selectionChance({ ...base, attempts: 20 }, now)).toBeCloseTo(0.66 ** 8, 12)
    expect(selectionChance({ ...base, lastAttempt: now - 599 }, now)).toBeCloseTo(0.01, 12)
    expect(selectionChance({ ...base, lastAttempt: now - 600 }, now)).toBe(1)
  })
})

describe('attempt, connected, good', () => {
  it('counts at most one failure per address between successes, and none when told not to', () => {
    const { book, clock } = bookFixture()
    const [a, b] = [ipv4('1.1.1.1'), ipv4('2.2.2.2')]
    book.add([timed(a), timed(b)], undefined)
    book.attempt(a, false)
    expect(book.get(a)).toMatchObject({ attempts: 0, lastAttempt: BOOK_START_S })
    book.attempt(a, true)
    clock.advance(60_000)
    book.attempt(a, true)
    expect(book.get(a)?.attempts).toBe(1)
    clock.advance(60_000)
    book.good(b)
    clock.advance(60_000)
    book.attempt(a, true)
    expect(book.get(a)).toMatchObject({ attempts: 2, lastAttempt: BOOK_START_S + 180 })
  })

  it('connected() refreshes the time only when it is more than 20 minutes old', () => {
    const { book } = bookFixture()
    book.add([timed(ipv4('1.1.1.1'), 19 * 60), timed(ipv4('2.2.2.2'), 21 * 60)], undefined)
    book.connected(ipv4('1.1.1.1'))
    book.connected(ipv4('2.2.2.2'))
    expect(book.get(ipv4('1.1.1.1'))?.time).toBe(BOOK_START_S - 19 * 60)
    expect(book.get(ipv4('2.2.2.2'))?.time).toBe(BOOK_START_S)
  })

  it('good() resets attempts and moves the entry to tried, out of every new bucket', () => {
    const { book } = bookFixture()
    const a = ipv4('1.1.1.1')
    book.add([timed(a)], ipv4('50.1.1.1'))
    book.add([timed(a, 60)], ipv4('60.1.1.1'))
    book.attempt(a, true)
    expect(book.good(a)).toBe(true)
    expect(book.good(a)).toBe(false)
    expect(book.get(a)).toMatchObject({ tried: true, attempts: 0, lastSuccess: BOOK_START_S })
    expect(book.size()).toEqual({ new: 0, tried: 1 })
    expect(book.exportRecords()[0]).toMatchObject({ newRefs: [], tried: true })
  })

  it('without test-before-evict a taken tried slot sends its occupant back to new; one group reaches at most 8 tried buckets', () => {
    const { book, random } = bookFixture({ testBeforeEvict: false })
    const addrs = routableAddresses(random, 400, '5.6')
    addrs.forEach((a, i) => book.add([timed(a)], ipv4(`${20 + (i % 200)}.${i % 250}.1.1`)))
    const inBook = addrs.filter((a) => book.get(a) !== undefined)
    for (const a of inBook) book.good(a)
    const records = book.exportRecords()
    const tried = records.filter((r) => r.tried)
    expect(new Set(tried.map((r) => (r.triedPos ?? 0) >> 6)).size).toBeLessThanOrEqual(8)
    const displaced = records.filter((r) => !r.tried && r.lastSuccess > 0)
    expect(displaced.length).toBeGreaterThan(0)
    expect(displaced.every((r) => r.newRefs.length === 1)).toBe(true)
    expect(book.size().tried).toBe(tried.length)
  })

  it('a full new slot is overwritten only by evicting a terrible entry', () => {
    const { book, clock, random } = bookFixture()
    const source = ipv4('50.1.1.1')
    book.add(routableAddresses(random, 300, '5.6').map((a) => timed(a)), source)
    const first = book.exportRecords().map((r) => r.key)
    book.takeChanges()
    book.add(routableAddresses(random, 300, '5.6').map((a) => timed(a)), source)
    expect(book.exportRecords().map((r) => r.key).sort()).toEqual([...first].sort())
    clock.advance(31 * DAY_S * 1000) // every first-round entry is now past the 30-day horizon
    const fresh = routableAddresses(random, 300, '5.6').map((a) => ({ addr: a, services: 1n, time: BOOK_START_S + 31 * DAY_S }))
    expect(book.add(fresh, source)).toBeGreaterThan(0)
    const keys = new Set(book.exportRecords().map((r) => r.key))
    const evicted = first.filter((k) => !keys.has(k))
    expect(evicted.length).toBeGreaterThan(0)
    expect(book.takeChanges().del.sort()).toEqual(evicted.sort())
  })
})

describe('refused (the node is on another network)', () => {
  const [wrong, other] = [ipv4('1.1.1.1'), ipv4('2.2.2.2')]
  /** The outbound choice while `other` is connected: only `wrong` could be picked. */
  const choose = (book: AddrBook, nowMs: number): string | undefined => {
    const addr = selectOutbound(book, { nowMs, defaultPort: 8333, inUseKeys: new Set([addrKey(other)]), inUseGroups: new Set(['2.2.0.0/16']), isBanned: () => false })
    return addr === undefined ? undefined : addrKey(addr)
  }

  it('is not selected again for a day, then is', () => {
    const { book, clock } = bookFixture()
    book.add([timed(wrong), timed(other)], undefined)
    expect(choose(book, clock.now())).toBe('1.1.1.1:8333')
    expect(book.refused(wrong, 'bad-magic')).toBe(true)
    // Without the mark the connection manager redials it at once (past the recent-try tier).
    for (let elapsedS = 0; elapsedS < REFUSED_HOLD_S; elapsedS += 600) {
      expect(choose(book, clock.now()), `after ${elapsedS} s`).toBeUndefined()
      clock.advance(600_000)
    }
    clock.advance(1000)
    expect(choose(book, clock.now())).toBe('1.1.1.1:8333')
  })

  it('counts as terrible: not shared, and gossip about it does not lift the mark', () => {
    const { book, clock } = bookFixture()
    const many = Array.from({ length: 40 }, (_, i) => timed(ipv4(`3.${i}.1.1`)))
    book.add([timed(wrong), ...many], undefined)
    book.refused(wrong, 'bad-magic')
    clock.advance(3_600_000)
    book.add([{ addr: wrong, services: 1n, time: Math.floor(clock.now() / 1000) }], ipv4('9.9.9.9'))
    expect(book.get(wrong)?.refusedUntil).toBe(BOOK_START_S + REFUSED_HOLD_S)
    for (let i = 0; i < 20; i++) expect(book.sample(1000, 100).map((t) => addrKey(t.addr))).not.toContain('1.1.1.1:8333')
  })

  it('a completed handshake lifts it; an unknown address is reported', () => {
    const { book } = bookFixture()
    book.add([timed(wrong)], undefined)
    book.refused(wrong, 'bad-magic')
    book.good(wrong)
    expect(book.get(wrong)?.refusedUntil).toBe(0)
    expect(book.refused(ipv4('7.7.7.7'), 'bad-magic')).toBe(false)
  })
})

describe.each(SELECTIONS)('select (%s)', (selection) => {
  it('returns undefined from an empty book and only new entries with newOnly', () => {
    const { book } = bookFixture({ selection })
    expect(book.select()).toBeUndefined()
    book.add([timed(ipv4('1.1.1.1')), timed(ipv4('2.2.2.2'))], undefined)
    book.good(ipv4('1.1.1.1'))
    for (let i = 0; i < 50; i++) expect(book.select(true)?.key).toBe('2.2.2.2:8333')
    book.good(ipv4('2.2.2.2'))
    expect(book.select(true)).toBeUndefined()
    expect(book.select()?.tried).toBe(true)
  })

  it('rarely picks addresses attempted in the last 10 minutes or failing often', () => {
    const { book, random, clock } = bookFixture({ selection })
    const addrs = routableAddresses(random, 400)
    book.add(addrs.map((a) => timed(a)), undefined)
    const present = addrs.filter((a) => book.get(a) !== undefined)
    const recent = new Set(present.slice(0, present.length / 2).map((a) => `${a.host}:${a.port}`))
    for (const a of present.slice(0, present.length / 2)) book.attempt(a, false)
    let recentPicks = 0
    for (let i = 0; i < 4000; i++) if (recent.has(book.select()?.key ?? '')) recentPicks++
    expect(recentPicks / 4000).toBeLessThan(0.05)
    clock.advance(11 * 60_000) // the 10-minute penalty is over: both halves are equal again
    recentPicks = 0
    for (let i = 0; i < 4000; i++) if (recent.has(book.select()?.key ?? '')) recentPicks++
    expect(recentPicks / 4000).toBeGreaterThan(0.4)
    expect(recentPicks / 4000).toBeLessThan(0.6)
  })

  it('ends even when every entry has the lowest chance (the factor grows per miss)', () => {
    const { book, clock } = bookFixture({ selection })
    const a = ipv4('1.1.1.1')
    book.add([timed(a)], undefined)
    for (let i = 0; i < 20; i++) { book.good(ipv4('7.7.7.7')); book.attempt(a, true); clock.advance(1000) }
    expect(book.select()?.key).toBe('1.1.1.1:8333')
  })
})

describe('Core\'s select', () => {
  it('picks tried and new about equally often when both are non-empty (Core\'s table choice)', () => {
    const { book, random } = bookFixture({ selection: 'core' })
    book.add(routableAddresses(random, 2000).map((a) => timed(a)), undefined)
    book.good(ipv4('9.9.9.9')) // not in the book: no effect
    const anyNew = book.exportRecords()[0]
    if (anyNew === undefined) throw new Error('fixture book is empty')
    book.good(anyNew.addr)
    let tried = 0
    const draws = 4000
    for (let i = 0; i < draws; i++) if (book.select()?.tried === true) tried++
    expect(tried / draws).toBeGreaterThan(0.45)
    expect(tried / draws).toBeLessThan(0.55)
  })
})

describe('scale', () => {
  it('takes 100,000 gossiped addresses and stays consistent', () => {
    const clock = manualClock()
    const random = seededRandom(3)
    const book = new AddrBook({ clock, random, logger: nullLogger }, { allowLocal: false })
    const addrs = routableAddresses(random, 100_000)
    for (let i = 0; i < 1000; i++) book.add(addrs.slice(i * 100, i * 100 + 100).map((a) => timed(a)), ipv4(`${20 + (i % 200)}.${i % 256}.1.1`))
    for (const a of addrs.slice(0, 5000)) book.good(a)
    const { new: inNew, tried } = book.size()
    expect(inNew).toBeGreaterThan(30_000)
    expect(inNew).toBeLessThanOrEqual(1024 * 64)
    expect(tried).toBeGreaterThan(3000)
    const records = book.exportRecords()
    expect(records.length).toBe(inNew + tried)
    const slots = records.flatMap((r) => r.tried ? [`t${r.triedPos}`] : r.newRefs.map((p) => `n${p}`))
    expect(new Set(slots).size).toBe(slots.length)
    for (let i = 0; i < 1000; i++) expect(book.select()).toBeDefined()
  })
})

describe('v1-only mark (BIP324 fallback)', () => {
  it('is set and cleared on an entry, marks it changed, and survives export and load', () => {
    const { book } = bookFixture()
    const addr = ipv4('1.2.3.4')
    expect(book.setV1Only(addr, true)).toBe(false) // not in the book
    book.add([timed(addr, 60, 1n)], undefined)
    book.takeChanges()
    expect(book.get(addr)?.v1Only).toBe(false)
    expect(book.setV1Only(addr, true)).toBe(true)
    expect(book.takeChanges().put.map((r) => [r.key, r.v1Only])).toEqual([[addrKey(addr), true]])
    const copy = bookFixture().book
    copy.loadRecords(book.exportRecords())
    expect(copy.get(addr)?.v1Only).toBe(true)
    book.setV1Only(addr, false)
    expect(book.exportRecords()[0]?.v1Only).toBeUndefined()
  })
})
