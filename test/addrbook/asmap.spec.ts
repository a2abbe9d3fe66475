import { describe, expect, it } from 'vitest'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import { asmapLookup, asmapSanityCheck, groupKeyWithAsmap, parseAsmap } from '../../src/addrbook/asmap.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { seededRandom } from '../../src/util/random.ts'
import { defaultBits, encodeAsmap, jumpBits, matchBits, packBits, returnBits } from '../helpers/asmap-encoder.ts'
import { ipv4 } from '../helpers/addr-book-fixture.ts'
import { manualClock } from '../helpers/manual-clock.ts'

const v6 = (host: string): NetAddress => ({ network: 'ipv6', host, port: 8333 })

describe('asmap decoding (Core\'s format)', () => {
  it('000000 is RETURN AS1: every IPv4 and IPv6 address maps to AS1, other networks to 0', () => {
    const map = Uint8Array.from([0, 0, 0])
    expect(asmapSanityCheck(map)).toBeUndefined()
    expect(asmapLookup(map, ipv4('8.8.8.8'))).toBe(1)
    expect(asmapLookup(map, v6('2001:db8::1'))).toBe(1)
    expect(asmapLookup(map, { network: 'torv3', host: 'x'.repeat(56) + '.onion', port: 1 })).toBe(0)
  })

  it('RETURN takes 1 opcode bit and 16 bits for an AS number up to 32768, more above (class codes)', () => {
    expect(returnBits(1)).toHaveLength(17)
    expect(returnBits(32_768)).toHaveLength(17)
    expect(returnBits(32_769)).toHaveLength(19)
    expect(asmapLookup(packBits(returnBits(4_200_000_000 % 16_000_000)), ipv4('1.1.1.1'))).toBe(4_200_000_000 % 16_000_000)
  })

  it('a hand-built file: 1.0.0.0/8 → AS100, 2.0.0.0/8 → AS200, 2001:db8::/32 → AS300, the rest unmapped', () => {
    const map = encodeAsmap([['1.0.0.0/8', 100], ['2.0.0.0/8', 200], ['2001:db8::/32', 300]])
    expect(asmapSanityCheck(map)).toBeUndefined()
    expect(asmapLookup(map, ipv4('1.2.3.4'))).toBe(100)
    expect(asmapLookup(map, ipv4('1.255.0.1'))).toBe(100)
    expect(asmapLookup(map, ipv4('2.0.0.1'))).toBe(200)
    expect(asmapLookup(map, ipv4('3.0.0.1'))).toBe(0)
    expect(asmapLookup(map, v6('2001:db8:ffff::1'))).toBe(300)
    expect(asmapLookup(map, v6('2001:db9::1'))).toBe(0)
    expect(asmapLookup(map, v6('::ffff:1.9.9.9'))).toBe(100) // an IPv4-mapped IPv6 address is its IPv4 address
  })

  it('DEFAULT sets what a failed MATCH returns', () => {
    // DEFAULT 7; MATCH the 8 first bits 0x20 (2000::/8…) then RETURN 9.
    const bits = [...defaultBits(7), ...matchBits([0, 0, 1, 0, 0, 0, 0, 0]), ...returnBits(9)]
    const map = packBits(bits)
    expect(asmapSanityCheck(map)).toBeUndefined()
    expect(asmapLookup(map, v6('2001::1'))).toBe(9)
    expect(asmapLookup(map, v6('3001::1'))).toBe(7)
  })

  it('refuses what Core\'s sanity check refuses', () => {
    expect(asmapSanityCheck(packBits([...defaultBits(1), ...matchBits([1])]))).toBe('no final RETURN') // 24 bits: ends without RETURN
    expect(asmapSanityCheck(Uint8Array.from([0, 0, 0, 0]))).toMatch(/bits after the last RETURN/)
    expect(asmapSanityCheck(Uint8Array.from([0, 0, 0x80]))).toBe('non-zero padding')
    expect(asmapSanityCheck(packBits([...defaultBits(1), ...defaultBits(2), ...returnBits(3)]))).toBe('two DEFAULTs in a row')
    expect(asmapSanityCheck(packBits([...defaultBits(1), ...returnBits(3)]))).toBe('RETURN right after DEFAULT')
    expect(asmapSanityCheck(packBits([...matchBits([1]), ...matchBits([0]), ...returnBits(3)]))).toBe('two sub-byte MATCHes in a row')
    expect(asmapSanityCheck(packBits([...jumpBits(500), ...returnBits(1), ...returnBits(2)]))).toMatch(/jump out of range/)
    expect(() => parseAsmap(new Uint8Array(0), 'ip_asn.map')).toThrow('ip_asn.map: empty asmap file')
    expect(() => parseAsmap(Uint8Array.from([0xff]), 'bad.map')).toThrow(/^bad\.map: not a valid asmap \(/)
  })
})

describe('grouping by AS', () => {
  const asmap = parseAsmap(encodeAsmap([['1.0.0.0/8', 100], ['2.0.0.0/8', 100], ['2a00:1450::/32', 100], ['3.0.0.0/8', 300]]), 'test.map')

  it('puts every prefix of one AS (IPv4 and IPv6 alike) in one group; unmapped addresses keep their /16', () => {
    expect(groupKeyWithAsmap(ipv4('1.2.3.4'), false, asmap)).toBe('AS100')
    expect(groupKeyWithAsmap(ipv4('2.9.3.4'), false, asmap)).toBe('AS100')
    expect(groupKeyWithAsmap(v6('2a00:1450::5'), false, asmap)).toBe('AS100')
    expect(groupKeyWithAsmap(ipv4('3.3.3.3'), false, asmap)).toBe('AS300')
    expect(groupKeyWithAsmap(ipv4('4.4.4.4'), false, asmap)).toBe('4.4.0.0/16')
    expect(groupKeyWithAsmap(ipv4('1.2.3.4'), false, undefined)).toBe('1.2.0.0/16')
  })

  it('the address book groups by it: one AS reaches at most 8 tried buckets however many /16s it spans', () => {
    const book = new AddrBook({ clock: manualClock(), random: seededRandom(1), logger: nullLogger }, { allowLocal: false, key: new Uint8Array(32).fill(7), asmap, testBeforeEvict: false })
    const addrs = Array.from({ length: 400 }, (_, i) => ipv4(`${1 + (i % 2)}.${i % 250}.${i >> 2}.1`))
    for (const a of addrs) book.add([{ addr: a, services: 1n, time: 1_700_000_000 - 60 }], ipv4(`9.${addrs.indexOf(a) % 200}.1.1`))
    for (const a of addrs) book.good(a)
    const triedBuckets = new Set(book.exportRecords().filter((r) => r.tried).map((r) => (r.triedPos ?? 0) >> 6))
    expect(triedBuckets.size).toBeLessThanOrEqual(8)
    expect(book.groupKey(ipv4('2.200.1.1'))).toBe('AS100')
  })
})
