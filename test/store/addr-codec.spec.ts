import { describe, expect, it } from 'vitest'
import type { AddrRecord } from '../../src/addrbook/record.ts'
import { ADDR_PAGE_COUNT, addrPageKey, addrPageOf, changesByPage, decodeAddrPage, encodeAddrPage, newDecodeCache, rewriteAddrPage } from '../../src/store/addr-codec.ts'
import { addrRecordFor } from '../helpers/addr-records.ts'

const SOURCE = { network: 'ipv4', host: '50.1.2.3', port: 8333 } as const
const ONION = `${'a'.repeat(56)}.onion`

/** Records of several kinds: new with several references and a source, tried, tried without a known position, IPv6, onion. */
function variedRecords (): AddrRecord[] {
  return [
    { ...addrRecordFor(1), source: SOURCE, newRefs: [5, 700, 65_535], services: '18446744073709551615' },
    { ...addrRecordFor(2), source: SOURCE, tried: true, newRefs: [], triedPos: 16_383, lastSuccess: 1_700_000_100 },
    { ...addrRecordFor(3), tried: true, newRefs: [], triedPos: null },
    { ...addrRecordFor(4), key: '[2001:db8::7]:18444', addr: { network: 'ipv6', host: '2001:db8::7', port: 18444 } },
    { ...addrRecordFor(5), key: `${ONION}:8333`, addr: { network: 'torv3', host: ONION, port: 8333 }, source: { network: 'ipv6', host: '2a01::1', port: 8333 } }
  ]
}

/** Stores `records` page by page and decodes them all back, as NodeStore does. */
function roundTrip (records: readonly AddrRecord[]): AddrRecord[] {
  const out: AddrRecord[] = []
  const shared = newDecodeCache()
  for (const [page, change] of changesByPage({ put: [...records], del: [] })) {
    const text = rewriteAddrPage(undefined, change)
    if (text === undefined) throw new Error('a page with records came out empty')
    decodeAddrPage(addrPageKey(page), text, `addr/${addrPageKey(page)}`, out, shared)
  }
  return out
}

const byKey = (records: readonly AddrRecord[]): AddrRecord[] => [...records].sort((a, b) => a.key < b.key ? -1 : 1)

/** The text of the page holding `record`, with its row changed by `edit`. */
function editedRow (record: AddrRecord, edit: (row: unknown[]) => void): { pageKey: string, text: string } {
  const rows = JSON.parse(encodeAddrPage([record])) as unknown[][]
  edit(rows[0] ?? [])
  return { pageKey: addrPageKey(addrPageOf(record.key)), text: JSON.stringify(rows) }
}

function decodeError (pageKey: string, text: string): string {
  try {
    decodeAddrPage(pageKey, text, `addr/${pageKey}`, [], newDecodeCache())
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`
  }
  return 'no error'
}

describe('address pages', () => {
  it('spread keys evenly over the pages, the same way every time', () => {
    const keys = Array.from({ length: 80_000 }, (_, n) => addrRecordFor(n).key)
    const pages = keys.map(addrPageOf)
    expect(keys.map(addrPageOf)).toEqual(pages)
    const counts = new Array<number>(ADDR_PAGE_COUNT).fill(0)
    for (const page of pages) counts[page] = (counts[page] ?? 0) + 1
    // 80,000 keys over 4,096 pages: about 19.5 each; a bad hash would leave pages empty or crowded.
    expect(Math.min(...counts)).toBeGreaterThan(3)
    expect(Math.max(...counts)).toBeLessThan(45)
    expect(addrPageKey(0)).toBe('000')
    expect(addrPageKey(ADDR_PAGE_COUNT - 1)).toBe('fff')
  })

  it('round-trip every kind of record, sharing one object per source', () => {
    const records = variedRecords()
    const back = roundTrip(records)
    expect(byKey(back)).toEqual(byKey(records))
    const fromSource = back.filter((r) => r.source?.host === SOURCE.host)
    expect(fromSource).toHaveLength(2)
    expect(fromSource[0]?.source).toBe(fromSource[1]?.source)
  })

  it('rewrite only what changed: puts replace, deletions remove, a put wins over a deletion of the same key', () => {
    const [a, b] = [addrRecordFor(1), addrRecordFor(2)]
    const text = encodeAddrPage([a, b])
    // [key, attempts] of each row, in stored order (rows are kept sorted by key).
    const rows = (t: string | undefined): unknown[][] => (JSON.parse(t ?? '[]') as unknown[][]).map((row) => [row[0], row[4]])
    expect(rows(text)).toEqual([[a.key, a.attempts], [b.key, b.attempts]])
    expect(rows(rewriteAddrPage(text, { put: [{ ...b, attempts: 7 }, { ...a, attempts: 9 }], del: [] }))).toEqual([[a.key, 9], [b.key, 7]])
    expect(rows(rewriteAddrPage(text, { put: [], del: [a.key, 'not-there:1'] }))).toEqual([[b.key, b.attempts]])
    expect(rows(rewriteAddrPage(text, { put: [a], del: [a.key, b.key] }))).toEqual([[a.key, a.attempts]])
    expect(rewriteAddrPage(text, { put: [], del: [a.key, b.key] })).toBeUndefined()
    expect(rows(rewriteAddrPage(undefined, { put: [b, a], del: [] }))).toEqual(rows(text))
  })

  it('group changes by the page of each key', () => {
    const records = Array.from({ length: 50 }, (_, n) => addrRecordFor(n))
    const pages = changesByPage({ put: records.slice(0, 40), del: records.slice(40).map((r) => r.key) })
    for (const [page, change] of pages) {
      for (const r of change.put) expect(addrPageOf(r.key)).toBe(page)
      for (const key of change.del) expect(addrPageOf(key)).toBe(page)
    }
    expect([...pages.values()].reduce((n, c) => n + c.put.length + c.del.length, 0)).toBe(50)
  })
})

describe('decodeAddrPage rejects a corrupt page, naming the page, record and field', () => {
  const record = addrRecordFor(1)
  const page = addrPageKey(addrPageOf(record.key))
  const named = `StoreCorruptError: addr/${page} record "10.0.0.1:8333"`

  it.each([
    ['key', (row: unknown[]) => { row[0] = '10.0.0.01:8333' }, 'the canonical key of an address with its port, such as "1.2.3.4:8333"'],
    ['services', (row: unknown[]) => { row[1] = '18446744073709551616' }, 'a decimal uint64 string'],
    ['source', (row: unknown[]) => { row[2] = 'somewhere' }, 'null or an address key such as "1.2.3.4:8333"'],
    ['time', (row: unknown[]) => { row[3] = 1.5 }, 'a non-negative integer'],
    ['lastSuccess', (row: unknown[]) => { row[7] = '0' }, 'a non-negative integer'],
    ['position', (row: unknown[]) => { row[8] = [1, -2] }, 'a tried position (a non-negative integer or null) or an array of new positions'],
    ['position', (row: unknown[]) => { row[8] = true }, 'a tried position (a non-negative integer or null) or an array of new positions'],
    ['flags', (row: unknown[]) => { row[9] = 2 }, 'absent or an integer of known flag bits (1)'],
    ['flags', (row: unknown[]) => { row[9] = 'v1' }, 'absent or an integer of known flag bits (1)']
  ])('field %s', (field, edit, expected) => {
    const { pageKey, text } = editedRow(record, edit)
    const who = field === 'key' ? `StoreCorruptError: addr/${page} record "10.0.0.01:8333"` : named
    expect(decodeError(pageKey, text)).toBe(`${who}: field "${field}" must be ${expected}`)
  })

  it('a page that is not JSON, not an array of rows, or under a key that is not a page', () => {
    expect(decodeError(page, '[[')).toMatch(new RegExp(`^StoreCorruptError: addr/${page}: not JSON \\(`))
    expect(decodeError(page, '[]')).toBe(`StoreCorruptError: addr/${page}: expected a non-empty array of records`)
    expect(decodeError(page, '[[1,2]]')).toBe(`StoreCorruptError: addr/${page} record 0: expected an array of 9 or 10 fields`)
    expect(decodeError('10.0.0.1:8333', encodeAddrPage([record]))).toBe('StoreCorruptError: addr/10.0.0.1:8333: not a page key (expected 3 hex digits)')
  })

  it('the v1-only flag: a tenth field written only when set, so rows written before it read unchanged', () => {
    const plain = JSON.parse(encodeAddrPage([record])) as unknown[][]
    expect(plain[0]).toHaveLength(9)
    const flagged = JSON.parse(encodeAddrPage([{ ...record, v1Only: true }])) as unknown[][]
    expect(flagged[0]).toHaveLength(10)
    expect(flagged[0]?.[9]).toBe(1)
    expect(roundTrip([{ ...record, v1Only: true }])).toEqual([{ ...record, v1Only: true }])
    expect(roundTrip([record])[0]?.v1Only).toBeUndefined()
    const zero = editedRow(record, (row) => { row[9] = 0 })
    expect(decodeError(zero.pageKey, zero.text)).toBe('no error')
  })

  it('a record in the wrong page, or twice', () => {
    const other = addrPageKey((addrPageOf(record.key) + 1) % ADDR_PAGE_COUNT)
    expect(decodeError(other, encodeAddrPage([record]))).toBe(`StoreCorruptError: addr/${other} record "10.0.0.1:8333": belongs in page ${page}`)
    const row = JSON.parse(encodeAddrPage([record])) as unknown[]
    expect(decodeError(page, JSON.stringify([row[0], row[0]]))).toBe(`${named}: repeated or out of key order`)
  })
})
