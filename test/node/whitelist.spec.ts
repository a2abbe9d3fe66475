import { describe, expect, it } from 'vitest'
import { parseBanTarget } from '../../src/banlist/ban-target.ts'
import { isWhitelisted } from '../../src/node/whitelist.ts'

describe('whitelist', () => {
  it('matches single addresses, IPv4 and IPv6 subnets, IPv4-mapped IPv6 and onion hosts', () => {
    const onion = `${'a'.repeat(56)}.onion`
    const list = ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', onion].map((w) => parseBanTarget(w))
    expect(isWhitelisted(list, '10.200.3.4')).toBe(true)
    expect(isWhitelisted(list, '::ffff:10.1.1.1')).toBe(true)
    expect(isWhitelisted(list, '192.0.2.7')).toBe(true)
    expect(isWhitelisted(list, '192.0.2.8')).toBe(false)
    expect(isWhitelisted(list, '2001:db8:ffff::1')).toBe(true)
    expect(isWhitelisted(list, '2001:db9::1')).toBe(false)
    expect(isWhitelisted(list, onion)).toBe(true)
    expect(isWhitelisted([], '10.0.0.1')).toBe(false)
  })

})
