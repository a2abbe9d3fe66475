import { describe, expect, it } from 'vitest'
import { parseBanTarget } from '../../src/banlist/ban-target.ts'
import { CidrSet } from '../../src/banlist/cidr-set.ts'

describe('CidrSet', () => {
  const set = new CidrSet<string>()
  for (const t of ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3', '2001:db8::/32', 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz2345.onion']) set.set(parseBanTarget(t), t)

  it('matches the host itself first, then the longest subnet; IPv4-mapped IPv6 is IPv4', () => {
    expect(set.match('10.1.2.3')).toBe('10.1.2.3')
    expect(set.match('::ffff:10.1.2.4')).toBe('10.1.0.0/16')
    expect(set.match('10.9.9.9')).toBe('10.0.0.0/8')
    expect(set.match('2001:db8:1::1')).toBe('2001:db8::/32')
    expect(set.match('11.0.0.1')).toBeUndefined()
    expect(set.match('ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ2345.onion')).toBe('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz2345.onion')
  })

  it('lets the caller turn an entry down and goes on to a shorter prefix; deletes by target', () => {
    expect(set.match('10.1.2.3', (v) => v !== '10.1.2.3' && v !== '10.1.0.0/16')).toBe('10.0.0.0/8')
    const copy = new CidrSet<string>()
    copy.set(parseBanTarget('10.0.0.0/8'), 'wide')
    expect(copy.delete(parseBanTarget('10.0.0.0/8'))).toBe(true)
    expect(copy.delete(parseBanTarget('10.0.0.0/8'))).toBe(false)
    expect(copy.match('10.0.0.1')).toBeUndefined()
    expect(copy.size).toBe(0)
  })
})
