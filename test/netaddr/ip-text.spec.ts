import { isIP, isIPv6 } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isIPText, isIPv6Text } from '../../src/netaddr/ip-text.ts'

/** Texts near the IPv6 grammar: parts of hex, dotted IPv4, colons, zones and stray characters, joined at random. */
const nearIPv6 = fc.array(fc.oneof(
  fc.constantFrom(':', '::', ':::', '.', '%', '%eth0', '%1', '%a.b-c:d', '%', '%%', ' ', 'g', 'G', '\u0010', '-', '0', '00000', 'ffff', 'FFFF', 'fFfF'),
  fc.stringMatching(/^[0-9a-fA-F]{1,5}$/),
  fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((n) => n.join('.')),
  fc.constantFrom('1.2.3.4', '01.2.3.4', '1.2.3', '255.255.255.255', '256.1.1.1', '1.2.3.4.5')
), { maxLength: 14 }).map((parts) => parts.join(''))

/** Well-formed addresses in every textual form: full, `::` over any run of groups, an IPv4 tail, a zone. */
const formedIPv6 = fc.record({
  groups: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
  gapAt: fc.nat(8),
  gapLen: fc.nat(8),
  v4Tail: fc.boolean(),
  upper: fc.boolean(),
  zone: fc.option(fc.stringMatching(/^[0-9a-zA-Z.:-]{1,6}$/), { nil: undefined })
}).map(({ groups, gapAt, gapLen, v4Tail, upper, zone }) => {
  const hex = groups.map((g) => upper ? g.toString(16).toUpperCase() : g.toString(16))
  let parts = v4Tail ? [...hex.slice(0, 6), `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`] : hex
  let text = parts.join(':')
  if (gapLen > 0 && gapAt < parts.length) {
    parts = [...parts]
    const before = parts.slice(0, gapAt).join(':')
    const after = parts.slice(Math.min(parts.length, gapAt + gapLen)).join(':')
    text = `${before}::${after}`
  }
  return zone === undefined ? text : `${text}%${zone}`
})

/** A well-formed address with one character replaced, inserted or removed. */
const editedIPv6 = fc.tuple(formedIPv6, fc.nat(), fc.constantFrom('replace', 'insert', 'remove'), fc.constantFrom(':', '.', '%', '0', 'f', 'F', 'g', 'G', '@', '`', '\u0010', '\u0016', ' ', '-', '1')).map(([text, at, edit, c]) => {
  const i = at % (text.length + 1)
  if (edit === 'insert') return text.slice(0, i) + c + text.slice(i)
  return text.slice(0, i) + (edit === 'replace' ? c : '') + text.slice(i + 1)
})

describe('isIPv6Text', () => {
  it('accepts exactly what net.isIPv6 accepts, for well-formed, edited and near-miss texts', () => {
    fc.assert(fc.property(fc.oneof(formedIPv6, editedIPv6, nearIPv6, fc.string({ maxLength: 45 })), (text) => {
      expect(isIPv6Text(text), JSON.stringify(text)).toBe(isIPv6(text))
    }), { numRuns: 20_000 })
  })

  it('agrees with net.isIPv6 on the edge cases of the grammar', () => {
    const cases = ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8::', '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5::1.2.3.4', '1:2:3:4:5:6::1.2.3.4', '::ffff:1.2.3.4', '::ffff:01.2.3.4', '1.2.3.4::', '1.2.3.4',
      ':::', '1:::2', ':1::2', '1::2:', '1::2::3', 'fe80::1%eth0', 'fe80::1%', 'fe80::1%a%b', 'FE80::ABCD', '12345::', 'g::1', '\u0010::1', '', ':', '1']
    expect(cases.filter((text) => isIPv6Text(text) !== isIPv6(text))).toEqual([])
  })
})

describe('isIPText', () => {
  it('is true exactly when net.isIP is not 0', () => {
    for (const text of ['127.0.0.1', '::1', 'seed.example.org', '1.2.3', '2001:db8::1', 'localhost', '']) expect(isIPText(text), text).toBe(isIP(text) !== 0)
  })
})
