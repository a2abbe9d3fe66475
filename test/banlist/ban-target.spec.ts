import { describe, expect, it } from 'vitest'
import { hostBytes, parseBanTarget } from '../../src/banlist/ban-target.ts'

const ONION = `${'a'.repeat(56)}.onion`

describe('parseBanTarget', () => {
  it('canonicalizes single addresses', () => {
    expect(parseBanTarget(' 1.2.3.4 ')).toMatchObject({ key: '1.2.3.4', prefixBits: 32 })
    expect(parseBanTarget('2001:DB8:0:0::1')).toMatchObject({ key: '2001:db8::1', prefixBits: 128 })
    expect(parseBanTarget('1.2.3.4/32').key).toBe('1.2.3.4')
    expect(parseBanTarget('2001:db8::1/128').key).toBe('2001:db8::1')
  })

  it('treats IPv4-mapped IPv6 as IPv4, for addresses and subnets', () => {
    expect(parseBanTarget('::ffff:1.2.3.4')).toMatchObject({ key: '1.2.3.4', prefixBits: 32 })
    expect(parseBanTarget('::ffff:10.9.8.7/104')).toMatchObject({ key: '10.0.0.0/8', prefixBits: 8 })
    expect(parseBanTarget('::ffff:0:0/96').key).toBe('0.0.0.0/0')
  })

  it('clears host bits of a subnet', () => {
    expect(parseBanTarget('10.1.2.3/8').key).toBe('10.0.0.0/8')
    expect(parseBanTarget('192.168.255.255/23').key).toBe('192.168.254.0/23')
    expect(parseBanTarget('2001:db8:abcd:1234::1/36').key).toBe('2001:db8:a000::/36')
    expect(parseBanTarget('1.2.3.4/0').key).toBe('0.0.0.0/0')
  })

  it('bans Tor v3 and I2P hosts exactly', () => {
    expect(parseBanTarget(ONION.toUpperCase())).toMatchObject({ key: ONION, bytes: undefined })
  })

  it.each([
    ['example.com', /"example.com" is not an IP address/],
    ['1.2.3', /"1.2.3" is not an IP address/],
    ['', /"" is not an IP address/],
    ['1.2.3.4/33', /"1.2.3.4\/33" has prefix "\/33" \(expected 0-32 for IPv4\)/],
    ['::1/129', /"::1\/129" has prefix "\/129" \(expected 0-128 for IPv6\)/],
    ['1.2.3.4/x', /has prefix "\/x"/],
    ['1.2.3.4/', /has prefix "\/"/],
    ['1.2.3.4/8/8', /has prefix "\/8\/8"/],
    [`${ONION}/8`, /is not an IP address, CIDR subnet/]
  ])('rejects %j with a BanInputError naming it', (input, message) => {
    expect(() => parseBanTarget(input)).toThrow(expect.objectContaining({ name: 'BanInputError', message: expect.stringMatching(message) }))
  })
})

describe('hostBytes', () => {
  it('gives 4 bytes for IPv4 and mapped IPv6, 16 for IPv6, undefined otherwise', () => {
    expect(hostBytes('1.2.3.4')).toEqual(Uint8Array.from([1, 2, 3, 4]))
    expect(hostBytes('::ffff:1.2.3.4')).toEqual(Uint8Array.from([1, 2, 3, 4]))
    expect(hostBytes('::1')?.length).toBe(16)
    expect(hostBytes(ONION)).toBeUndefined()
    expect(hostBytes('not an ip')).toBeUndefined()
  })
})
