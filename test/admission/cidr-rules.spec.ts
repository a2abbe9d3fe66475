import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildDenyList, buildWhitelist, cidrMatcher, type CidrRule } from '../../src/admission/cidr-rules.ts'
import { parseDenyEntry, parseWhitelistEntry } from '../../src/admission/permissions.ts'
import { parseBanTarget } from '../../src/banlist/ban-target.ts'

const ONION = `${'c'.repeat(56)}.onion`

describe('cidrMatcher', () => {
  const rules: Array<CidrRule<string>> = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3', '2001:db8::/32', ONION]
    .map((text) => ({ target: parseBanTarget(text), value: text }))
  const matcher = cidrMatcher(rules)

  it('returns the most specific rule covering the host', () => {
    expect(matcher.match('10.9.9.9')).toBe('10.0.0.0/8')
    expect(matcher.match('10.1.9.9')).toBe('10.1.0.0/16')
    expect(matcher.match('10.1.2.3')).toBe('10.1.2.3')
    expect(matcher.match('11.0.0.1')).toBeUndefined()
  })

  it('matches IPv4-mapped IPv6 as IPv4, IPv6 in any spelling, and onions exactly', () => {
    expect(matcher.match('::ffff:10.1.2.3')).toBe('10.1.2.3')
    expect(matcher.match('2001:0DB8:0:0::1')).toBe('2001:db8::/32')
    expect(matcher.match(ONION.toUpperCase())).toBe(ONION)
    expect(matcher.match(`${'d'.repeat(56)}.onion`)).toBeUndefined()
  })

  it('an empty list matches nothing', () => {
    expect(cidrMatcher([]).match('1.2.3.4')).toBeUndefined()
  })
})

describe('buildWhitelist', () => {
  it('gives a peer the union of every entry covering it, as Core does', () => {
    const list = buildWhitelist(['noban@10.0.0.0/8', 'addr@10.1.2.3', 'nolimit@10.1.0.0/16', 'addr@10.2.0.0/16', 'noban@ff00::/8']
      .map(parseWhitelistEntry))
    expect(list.match('10.1.2.3')).toEqual({ noban: true, nolimit: true, addr: true })
    expect(list.match('10.1.7.7')).toEqual({ noban: true, nolimit: true, addr: false })
    expect(list.match('10.2.0.1')).toEqual({ noban: true, nolimit: false, addr: true })
    expect(list.match('10.3.0.1')).toEqual({ noban: true, nolimit: false, addr: false })
    expect(list.match('11.0.0.1')).toBeUndefined()
  })

  it('merges entries naming the same subnet (in any spelling)', () => {
    const list = buildWhitelist(['noban@1.2.3.4', 'addr@::ffff:1.2.3.4'].map(parseWhitelistEntry))
    expect(list.match('1.2.3.4')).toEqual({ noban: true, nolimit: false, addr: true })
  })

  it('keeps the most specific entry of a host when a wider one names the same permissions again', () => {
    const list = buildWhitelist(['noban@10.0.0.0/8', 'addr@10.0.0.1', 'addr@10.0.0.1/32'].map(parseWhitelistEntry))
    expect(list.match('10.0.0.1')).toEqual({ noban: true, nolimit: false, addr: true })
    expect(list.match('10.0.0.2')).toEqual({ noban: true, nolimit: false, addr: false })
  })

  it('property: a lookup equals the union of every entry whose subnet contains the host', () => {
    const octet = fc.integer({ min: 0, max: 3 }) // a small space so entries overlap often
    const entry = fc.record({
      a: octet, b: octet, c: octet, d: octet,
      prefix: fc.constantFrom(8, 16, 24, 30, 32),
      perms: fc.subarray(['noban', 'nolimit', 'addr'], { minLength: 1 })
    }).map((e) => `${e.perms.join(',')}@${e.a}.${e.b}.${e.c}.${e.d}/${e.prefix}`)
    fc.assert(fc.property(fc.array(entry, { maxLength: 12 }), octet, octet, octet, octet, (texts, a, b, c, d) => {
      const entries = texts.map(parseWhitelistEntry)
      const host = `${a}.${b}.${c}.${d}`
      const covering = entries.filter((e) => cidrMatcher([{ target: e.target, value: true }]).match(host) === true)
      const expected = covering.length === 0
        ? undefined
        : { noban: covering.some((e) => e.permissions.noban), nolimit: covering.some((e) => e.permissions.nolimit), addr: covering.some((e) => e.permissions.addr) }
      expect(buildWhitelist(entries).match(host)).toEqual(expected)
    }))
  })
})

describe('buildDenyList', () => {
  it('returns the entry that covers the host, so a refusal can name it', () => {
    const deny = buildDenyList(['192.0.2.0/24', '2001:db8:1::/48'].map(parseDenyEntry))
    expect(deny.match('192.0.2.77')?.key).toBe('192.0.2.0/24')
    expect(deny.match('2001:db8:1:2::3')?.key).toBe('2001:db8:1::/48')
    expect(deny.match('192.0.3.1')).toBeUndefined()
  })
})
