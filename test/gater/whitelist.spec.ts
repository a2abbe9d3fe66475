import { describe, expect, it } from 'vitest'
import { parseBanTarget } from '../../src/banlist/ban-target.ts'
import { Whitelist } from '../../src/gater/whitelist.ts'

describe('Whitelist', () => {
  it('matches single addresses, IPv4 and IPv6 subnets, IPv4-mapped IPv6 and onion hosts', () => {
    const onion = `${'a'.repeat(56)}.onion`
    const list = new Whitelist(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', onion].map((w) => parseBanTarget(w)))
    expect(list.has('10.200.3.4')).toBe(true)
    expect(list.has('::ffff:10.1.1.1')).toBe(true)
    expect(list.has('192.0.2.7')).toBe(true)
    expect(list.has('192.0.2.8')).toBe(false)
    expect(list.has('2001:db8:ffff::1')).toBe(true)
    expect(list.has('2001:db9::1')).toBe(false)
    expect(list.has(onion)).toBe(true)
    expect(new Whitelist().has('10.0.0.1')).toBe(false)
  })
})
