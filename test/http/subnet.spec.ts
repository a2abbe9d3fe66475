import { describe, expect, it } from 'vitest'
import { isLoopbackIp, parseSubnet, subnetContains } from '../../src/http/subnet.ts'

describe('allow-list subnets (Core\'s -rpcallowip forms)', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3', 32],
    ['10.1.2.3/8', '10.0.0.0/8', 8],
    ['192.168.7.9/255.255.255.0', '192.168.7.0/24', 24],
    ['0.0.0.0/0', '0.0.0.0/0', 0],
    ['2001:DB8::1/32', '2001:db8::/32', 32],
    ['::/0', '::/0', 0],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8', 8]
  ])('parses %s as %s', (text, canonical, bits) => {
    const subnet = parseSubnet(text, '--rpcallowip')
    expect(subnet.text).toBe(canonical)
    expect(subnet.prefixBits).toBe(bits)
  })

  it.each([
    ['example.com', 'is not an IP address or subnet'],
    ['10.0.0.0/33', 'has a bad prefix "/33"'],
    ['10.0.0.0/255.0.255.0', 'has a bad prefix "/255.0.255.0"'],
    ['::1/129', 'has a bad prefix "/129" (expected 0-128)'],
    ['10.0.0.0/x', 'has a bad prefix "/x"']
  ])('refuses %s naming the flag', (text, message) => {
    expect(() => parseSubnet(text, '--rpcallowip')).toThrow(`--rpcallowip: "${text}" ${message}`)
  })

  it('matches IPv4, IPv4-mapped IPv6 and IPv6 clients', () => {
    const v4 = parseSubnet('10.0.0.0/8', 'x')
    expect(subnetContains(v4, '10.200.1.1')).toBe(true)
    expect(subnetContains(v4, '::ffff:10.200.1.1')).toBe(true)
    expect(subnetContains(v4, '11.0.0.1')).toBe(false)
    expect(subnetContains(v4, '2001:db8::1')).toBe(false)
    expect(subnetContains(parseSubnet('2001:db8::/32', 'x'), '2001:db8:ffff::1')).toBe(true)
    expect(subnetContains(parseSubnet('0.0.0.0/0', 'x'), '203.0.113.9')).toBe(true)
    expect(subnetContains(v4, 'not-an-ip')).toBe(false)
  })

  it('knows loopback: 127.0.0.0/8 and ::1, also mapped', () => {
    expect(['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1'].every(isLoopbackIp)).toBe(true)
    expect(['128.0.0.1', '::2', '0.0.0.0', '::'].some(isLoopbackIp)).toBe(false)
  })
})
