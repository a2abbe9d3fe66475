import { describe, expect, it } from 'vitest'
import { addressOfKey, parseAddrRecord } from '../../src/addrbook/record.ts'
import type { AddrRecord } from '../../src/addrbook/record.ts'
import { BOOK_START_S, bookFixture, ipv4, routableAddresses, timed } from '../helpers/addr-book-fixture.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'
import { AddrRecordError } from '../../src/addrbook/errors.ts'

const byKey = (records: AddrRecord[]): AddrRecord[] => [...records].sort((a, b) => a.key < b.key ? -1 : 1)

function populated (): ReturnType<typeof bookFixture> {
  const fixture = bookFixture()
  const { book, random } = fixture
  const addrs = routableAddresses(random, 3000)
  for (let i = 0; i < 30; i++) book.add(addrs.slice(i * 100, i * 100 + 100).map((a) => timed(a, 60 * i, BigInt(i) << 40n)), ipv4(`${20 + i}.1.1.1`))
  for (let i = 0; i < 4; i++) book.add(addrs.slice(0, 1000).map((a) => timed(a, -60 * i)), ipv4(`${80 + i}.1.1.1`)) // extra references
  const present = addrs.filter((a) => book.get(a) !== undefined)
  for (const a of present.slice(0, 300)) book.good(a)
  for (const a of present.slice(300, 400)) book.attempt(a, true)
  return fixture
}

describe('exportRecords → loadRecords', () => {
  it('round-trips through JSON to an equal book that keeps every position', () => {
    const { book } = populated()
    const records = book.exportRecords()
    expect(records.some((r) => r.tried) && records.some((r) => r.newRefs.length > 1)).toBe(true)
    const stored = records.map((r) => parseAddrRecord(JSON.parse(JSON.stringify(r)), `addr/${r.key}`))
    const copy = bookFixture({ key: book.key }).book
    expect(copy.loadRecords(stored)).toEqual({ loaded: records.length, skipped: 0 })
    expect(byKey(copy.exportRecords())).toEqual(byKey(records))
    expect(copy.size()).toEqual(book.size())
    expect(copy.takeChanges()).toEqual({ put: [], del: [] })
    expect(copy.select()).toBeDefined()
  })

  it('re-places every record when the positions were made with another key', () => {
    const { book } = populated()
    const records = book.exportRecords()
    const logger = recordingLogger()
    const copy = bookFixture({ key: new Uint8Array(32).fill(99) }, 1, logger).book
    const { loaded, skipped } = copy.loadRecords(records)
    expect(loaded + skipped).toBe(records.length)
    expect(loaded).toBeGreaterThan(records.length * 0.9)
    expect(logger.records.some((r) => r.level === 'warn')).toBe(true)
    const changes = copy.takeChanges()
    expect(changes.put.length).toBe(loaded)
    expect(changes.del.length).toBe(skipped)
    const triedRecord = copy.exportRecords().find((r) => r.tried)
    const original = records.find((r) => r.key === triedRecord?.key)
    expect(triedRecord?.triedPos).not.toBe(original?.triedPos)
  })

  it('skips duplicates and records that are no longer acceptable', () => {
    const { book } = bookFixture({ allowLocal: true })
    book.add([timed(ipv4('127.0.0.1')), timed(ipv4('8.8.8.8'))], undefined)
    const records = book.exportRecords()
    const strict = bookFixture().book
    expect(strict.loadRecords([...records, ...records])).toEqual({ loaded: 1, skipped: 3 })
    expect(strict.takeChanges().del).toEqual(['127.0.0.1:8333'])
  })
})

describe('takeChanges', () => {
  it('reports changed entries once and deleted keys', () => {
    const { book, clock } = bookFixture()
    book.add([timed(ipv4('1.1.1.1')), timed(ipv4('2.2.2.2'))], undefined)
    expect(book.takeChanges().put.map((r) => r.key).sort()).toEqual(['1.1.1.1:8333', '2.2.2.2:8333'])
    expect(book.takeChanges()).toEqual({ put: [], del: [] })
    book.attempt(ipv4('1.1.1.1'), true)
    const { put } = book.takeChanges()
    expect(put).toHaveLength(1)
    expect(put[0]).toMatchObject({ key: '1.1.1.1:8333', attempts: 1 })
    book.good(ipv4('2.2.2.2'))
    expect(book.takeChanges().put[0]).toMatchObject({ key: '2.2.2.2:8333', tried: true })
    clock.advance(10 * 60_000)
    book.connected(ipv4('9.9.9.9')) // unknown: nothing changes
    expect(book.takeChanges()).toEqual({ put: [], del: [] })
  })

  it('writes a key that was removed and added again before the flush, instead of deleting it', () => {
    const DAY_MS = 24 * 3600 * 1000
    const { book, clock, random } = bookFixture()
    const offered = routableAddresses(random, 300, '5.6')
    book.add(offered.map((a) => timed(a)), ipv4('50.1.1.1'))
    const first = offered.filter((a) => book.get(a) !== undefined) // one bucket: most collided
    book.takeChanges()
    clock.advance(31 * DAY_MS) // the first round is past the 30-day horizon: terrible, so evictable
    const nowS = BOOK_START_S + 31 * DAY_MS / 1000
    book.add(routableAddresses(random, 300, '5.6').map((a) => ({ addr: a, services: 1n, time: nowS })), ipv4('50.1.1.1'))
    const evicted = first.filter((a) => book.get(a) === undefined)
    expect(evicted.length).toBeGreaterThan(0)
    // Back in from another source group, so into other buckets.
    book.add(evicted.map((a) => ({ addr: a, services: 1n, time: nowS })), ipv4('60.1.1.1'))
    const back = evicted.filter((a) => book.get(a) !== undefined).map((a) => `${a.host}:${a.port}`)
    expect(back.length).toBeGreaterThan(0)
    const { put, del } = book.takeChanges()
    expect(put.map((r) => r.key)).toEqual(expect.arrayContaining(back))
    expect(del.filter((key) => back.includes(key))).toEqual([])
    expect(del.length).toBe(evicted.length - back.length)
  })
})

describe('parseAddrRecord', () => {
  const good = (): Record<string, unknown> => {
    const { book } = bookFixture()
    book.add([timed(ipv4('1.1.1.1'))], ipv4('50.1.1.1'))
    return JSON.parse(JSON.stringify(book.exportRecords()[0])) as Record<string, unknown>
  }

  it('accepts what the book writes', () => {
    expect(parseAddrRecord(good(), 'x').key).toBe('1.1.1.1:8333')
  })

  it.each([
    ['key', '2.2.2.2:8333'],
    ['addr', { network: 'ipv4', host: 'nope', port: 1 }],
    ['source', 'somewhere'],
    ['services', '-1'],
    ['services', '18446744073709551616'],
    ['time', 1.5],
    ['attempts', -1],
    ['tried', 'yes'],
    ['newRefs', [1, -2]],
    ['triedPos', 'a']
  ])('names the bad field %s', (field, value) => {
    expect(() => parseAddrRecord({ ...good(), [field]: value }, 'addr/1.1.1.1:8333')).toThrow(new AddrRecordError(`addr/1.1.1.1:8333: field "${field}" must be ${expectedOf(field)}`))
  })
})

function expectedOf (field: string): string {
  const expected: Record<string, string> = {
    key: '"1.1.1.1:8333" (the key of addr)',
    addr: 'a {network, host, port} address',
    source: 'null or a {network, host, port} address',
    services: 'a decimal uint64 string',
    time: 'a non-negative integer',
    attempts: 'a non-negative integer',
    tried: 'true or false',
    newRefs: 'an array of non-negative integers',
    triedPos: 'null or a non-negative integer'
  }
  return expected[field] ?? ''
}

describe('addressOfKey', () => {
  const onion = `${'b'.repeat(56)}.onion`
  it.each([
    ['1.2.3.4:8333', { network: 'ipv4', host: '1.2.3.4', port: 8333 }],
    ['255.0.10.0:0', { network: 'ipv4', host: '255.0.10.0', port: 0 }],
    ['[2001:db8::1]:18444', { network: 'ipv6', host: '2001:db8::1', port: 18444 }],
    ['[fc00::5]:8333', { network: 'cjdns', host: 'fc00::5', port: 8333 }],
    [`${onion}:8333`, { network: 'torv3', host: onion, port: 8333 }]
  ])('reads the canonical key %s', (key, addr) => {
    expect(addressOfKey(key)).toEqual(addr)
  })

  it.each([
    '1.2.3.4', '1.2.3.4:', '1.2.3.4:08333', '1.2.3.4:65536', '1.2.3.4:+1', '01.2.3.4:8333', '1.2.3.256:8333', '1.2.3:8333',
    '1.2.3.4.5:8333', '2001:db8::1:8333', '[2001:DB8::1]:8333', '[2001:db8:0::1]:8333', '[1.2.3.4]:8333', '[::ffff:1.2.3.4]:8333',
    'example.com:8333', `${onion.toUpperCase()}:8333`
  ])('refuses %s, which is not the key of any address', (key) => {
    expect(addressOfKey(key)).toBeUndefined()
  })
})
