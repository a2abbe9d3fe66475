import { describe, expect, it } from 'vitest'
import { countsFailures, selectOutbound } from '../../src/addrbook/select-outbound.ts'
import type { OutboundBook, OutboundSelectOptions } from '../../src/addrbook/select-outbound.ts'
import type { AddrInfo } from '../../src/addrbook/addr-entry.ts'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { BOOK_START_MS, BOOK_START_S, bookFixture, ipv4, timed } from '../helpers/addr-book-fixture.ts'

const PORT = 8333

function info (host: string, change: Partial<AddrInfo> = {}): AddrInfo {
  const addr = ipv4(host, change.addr?.port ?? PORT)
  const [a, b] = host.split('.')
  return { key: addrKey(addr), addr, group: `${a}.${b}.0.0/16`, services: 1n, source: undefined, time: BOOK_START_S, attempts: 0, lastAttempt: 0, lastCountAttempt: 0, lastSuccess: 0, tried: false, refusedUntil: 0, v1Only: false, ...change }
}

/** A book that hands out `draws` in order (then nothing) and records attempt() calls. */
function scriptedBook (draws: AddrInfo[]): OutboundBook & { attempts: Array<[string, boolean]>, drawn: number } {
  let next = 0
  const book = {
    attempts: [] as Array<[string, boolean]>,
    drawn: 0,
    select: () => { book.drawn++; return draws[next++] },
    attempt: (addr: NetAddress, countFailure: boolean) => { book.attempts.push([addrKey(addr), countFailure]) }
  }
  return book
}

const options = (change: Partial<OutboundSelectOptions> = {}): OutboundSelectOptions => ({
  nowMs: BOOK_START_MS, defaultPort: PORT, inUseKeys: new Set(), inUseGroups: new Set(), isBanned: () => false, ...change
})

describe('selectOutbound tiers', () => {
  it('takes the first acceptable draw and records the attempt', () => {
    const book = scriptedBook([info('1.1.1.1'), info('2.2.2.2')])
    expect(selectOutbound(book, options())).toEqual(ipv4('1.1.1.1'))
    expect(book.attempts).toEqual([['1.1.1.1:8333', true]])
  })

  it('passes the offline guard on to attempt()', () => {
    const book = scriptedBook([info('1.1.1.1')])
    selectOutbound(book, options({ countFailure: false }))
    expect(book.attempts).toEqual([['1.1.1.1:8333', false]])
  })

  it('never returns an address in use, in a used group, or banned', () => {
    const draws = [info('1.1.1.1'), info('2.2.9.9'), info('3.3.3.3'), info('4.4.4.4')]
    const book = scriptedBook([...Array.from({ length: 30 }, () => draws).flat()])
    const chosen = selectOutbound(book, options({
      inUseKeys: new Set(['1.1.1.1:8333']),
      inUseGroups: new Set(['2.2.0.0/16']),
      isBanned: (a) => a.host === '3.3.3.3'
    }))
    expect(chosen).toEqual(ipv4('4.4.4.4'))
    const never = scriptedBook(Array.from({ length: 150 }, () => info('3.3.3.3')))
    expect(selectOutbound(never, options({ isBanned: () => true }))).toBeUndefined()
    expect(never.drawn).toBe(100)
    expect(never.attempts).toEqual([])
  })

  it('skips addresses tried in the last 10 minutes during the first 30 draws only', () => {
    const recent = info('1.1.1.1', { lastAttempt: BOOK_START_S - 9 * 60 })
    const book = scriptedBook(Array.from({ length: 40 }, () => recent))
    expect(selectOutbound(book, options())).toEqual(recent.addr)
    expect(book.drawn).toBe(31)
    const old = scriptedBook([info('1.1.1.1', { lastAttempt: BOOK_START_S - 11 * 60 })])
    expect(selectOutbound(old, options())).toEqual(ipv4('1.1.1.1'))
  })

  it('takes the recent-try window from the options when given (the simulation scales it)', () => {
    const triedMinuteAgo = info('1.1.1.1', { lastAttempt: BOOK_START_S - 60 })
    const narrow = scriptedBook([triedMinuteAgo])
    expect(selectOutbound(narrow, options({ recentTryMs: 30_000 }))).toEqual(triedMinuteAgo.addr)
    expect(narrow.drawn).toBe(1)
    const wide = scriptedBook([triedMinuteAgo, info('2.2.2.2')])
    expect(selectOutbound(wide, options({ recentTryMs: 120_000 }))).toEqual(ipv4('2.2.2.2'))
  })

  it('requires the default port during the first 50 draws only', () => {
    const odd = info('1.1.1.1', { addr: ipv4('1.1.1.1', 9999) })
    const book = scriptedBook(Array.from({ length: 60 }, () => odd))
    expect(selectOutbound(book, options())).toEqual(ipv4('1.1.1.1', 9999))
    expect(book.drawn).toBe(51)
  })

  it('skips an address refused for its network in every draw until the hold ends', () => {
    const refused = info('1.1.1.1', { lastAttempt: BOOK_START_S - 3600, refusedUntil: BOOK_START_S + 1 })
    const book = scriptedBook(Array.from({ length: 150 }, () => refused))
    expect(selectOutbound(book, options())).toBeUndefined()
    expect(book.drawn).toBe(100)
    const later = scriptedBook([refused])
    expect(selectOutbound(later, options({ nowMs: BOOK_START_MS + 1000 }))).toEqual(ipv4('1.1.1.1'))
  })

  it('returns undefined at once from an empty book', () => {
    const book = scriptedBook([])
    expect(selectOutbound(book, options())).toBeUndefined()
    expect(book.drawn).toBe(1)
  })
})

describe('selectOutbound with a real book on a 127.0.0.0/8 test network', () => {
  it('spreads outbound peers over distinct /16 groups, counting dials in flight', () => {
    const { book } = bookFixture({ allowLocal: true })
    const hosts: string[] = []
    for (let a = 0; a < 6; a++) for (let c = 1; c <= 5; c++) hosts.push(`127.${a}.0.${c}`)
    book.add(hosts.map((h) => timed(ipv4(h, 18444))), undefined)
    const inUseKeys = new Set<string>()
    const inUseGroups = new Set<string>()
    const chosen: NetAddress[] = []
    for (;;) {
      const addr = selectOutbound(book, options({ defaultPort: 18444, inUseKeys, inUseGroups }))
      if (addr === undefined) break
      chosen.push(addr)
      inUseKeys.add(addrKey(addr)) // the dial is in flight: it already counts
      inUseGroups.add(book.groupKey(addr))
    }
    expect(chosen).toHaveLength(6)
    expect(new Set(chosen.map((a) => a.host.split('.')[1])).size).toBe(6)
    expect(chosen.every((a) => book.get(a)?.lastAttempt === BOOK_START_S)).toBe(true)
  })
})

describe('countsFailures (offline guard)', () => {
  it.each([
    [0, 8, false],
    [1, 8, false],
    [2, 8, true],
    [0, 1, true], // a single-peer node cannot tell offline from unlucky
    [1, 2, true]
  ])('%i established groups of target %i → %s', (groups, target, counts) => {
    expect(countsFailures(groups, target)).toBe(counts)
  })
})
