import { describe, expect, it } from 'vitest'
import { groupKey, internalAddress, isAcceptable, isInternalAddress, isRoutable, isValid, UNROUTABLE_GROUP } from '../../src/addrbook/netgroup.ts'
import { addressOfKey } from '../../src/addrbook/record.ts'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { toNetAddress } from '../../src/netaddr/netaddress.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'

const ONION = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion'
const ONION_HIGH = '7g6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion'
const I2P = 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p'

function at (host: string, port = 8333): NetAddress {
  const addr = toNetAddress(host, port)
  if (addr === undefined) throw new Error(`test address ${host} is not a literal`)
  return addr
}

describe('groupKey', () => {
  it.each([
    ['1.2.3.4', '1.2.0.0/16'],
    ['1.2.200.7', '1.2.0.0/16'],
    ['1.3.3.4', '1.3.0.0/16'],
    ['::ffff:8.8.4.4', '8.8.0.0/16'], // IPv4-mapped is plain IPv4
    ['2a01:4f8:1:2::5', '2a01:4f8::/32'],
    ['2a01:4f8:ffff::5', '2a01:4f8::/32'],
    ['2001:470:1234::1', '2001:470:1000::/36'], // Hurricane Electric hands out /36s
    ['2001:470:2234::1', '2001:470:2000::/36'],
    ['2002:0102:0304::1', '1.2.0.0/16'], // 6to4 of 1.2.3.4
    ['2001:0:4136:e378:8000:63bf:fefd:fcfb', '1.2.0.0/16'], // Teredo: client 1.2.3.4 bit-inverted
    ['64:ff9b::102:304', '1.2.0.0/16'], // NAT64
    ['::ffff:0:102:304', '1.2.0.0/16'], // SIIT
    ['fc12:3456::1', 'cjdns:fc1'],
    [ONION, 'torv3:7'], // 'p' = 15 → top 4 bits 0111
    [ONION_HIGH, 'torv3:f'], // '7' = 31
    [I2P, 'i2p:a'], // 'u' = 20 → 1010
    ['127.0.0.1', UNROUTABLE_GROUP],
    ['10.1.2.3', UNROUTABLE_GROUP],
    ['192.168.1.1', UNROUTABLE_GROUP],
    ['::1', UNROUTABLE_GROUP],
    ['2002:0a00:0001::1', UNROUTABLE_GROUP] // 6to4 of 10.0.0.1
  ])('%s → %s', (host, group) => {
    expect(groupKey(at(host), false)).toBe(group)
  })

  it('with allowLocal groups loopback and private IPv4 by /16 like routable addresses', () => {
    expect(groupKey(at('127.0.0.1'), true)).toBe('127.0.0.0/16')
    expect(groupKey(at('127.1.0.1'), true)).toBe('127.1.0.0/16')
    expect(groupKey(at('10.9.2.3'), true)).toBe('10.9.0.0/16')
    expect(groupKey(at('::1'), true)).toBe('0:0::/32')
    expect(groupKey(at('0.0.0.0'), true)).toBe(UNROUTABLE_GROUP) // invalid stays unusable
    expect(groupKey(at('224.0.0.1'), true)).toBe(UNROUTABLE_GROUP)
  })
})

describe('routability', () => {
  it.each([
    ['8.8.8.8', true],
    ['2a01:4f8::1', true],
    ['fc12::1', true], // CJDNS
    [ONION, true],
    [I2P, true],
    ['0.1.2.3', false], // "this network"
    ['127.0.0.1', false], // loopback
    ['10.0.0.1', false], ['172.16.0.1', false], ['172.31.255.255', false], ['192.168.0.1', false], // RFC 1918
    ['172.32.0.1', true], ['172.15.0.1', true],
    ['198.18.0.1', false], ['198.19.255.1', false], ['198.20.0.1', true], // RFC 2544
    ['169.254.1.1', false], // RFC 3927
    ['100.64.0.1', false], ['100.127.0.1', false], ['100.128.0.1', true], // RFC 6598
    ['192.0.2.1', false], ['198.51.100.1', false], ['203.0.113.1', false], // RFC 5737
    ['224.0.0.1', false], ['240.0.0.1', false], ['255.255.255.255', false], // multicast, reserved
    ['::1', false], ['::', false],
    ['fd00::1', false], // RFC 4193
    ['fe80::1', false], // RFC 4862
    ['2001:db8::1', false], // RFC 3849
    ['2001:10::1', false], // RFC 4843
    ['2001:20::1', false], // RFC 7343
    ['ff02::1', false], // multicast
    ['64:ff9b::a00:1', false], // NAT64 of 10.0.0.1
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', false] // Teredo of 10.0.0.1
  ])('%s routable: %s', (host, routable) => {
    expect(isRoutable(at(host))).toBe(routable)
  })

  it('allowLocal accepts valid unroutable addresses but never invalid ones', () => {
    expect(isAcceptable(at('127.0.0.1'), false)).toBe(false)
    expect(isAcceptable(at('127.0.0.1'), true)).toBe(true)
    expect(isAcceptable(at('192.168.1.1'), true)).toBe(true)
    expect(isAcceptable(at('0.0.0.0'), true)).toBe(false)
    expect(isAcceptable(at('2001:db8::1'), true)).toBe(false)
    expect(isValid(at('255.255.255.255'))).toBe(false)
    expect(isValid(at('10.0.0.1'))).toBe(true)
  })
})

describe('internal addresses (a DNS seed as a source)', () => {
  it('are Core\'s fd6b:88c0:8724::/48 plus 10 bytes of SHA-256 of the name, one group per name', () => {
    const a = internalAddress('seed.example.org')
    expect(a).toEqual(internalAddress('SEED.example.org'))
    expect(a.host).toMatch(/^fd6b:88c0:8724:/)
    const b = internalAddress('other-seed.example.org')
    for (const allowLocal of [false, true]) {
      expect(groupKey(a, allowLocal)).toMatch(/^internal:[0-9a-f]{20}$/)
      expect(groupKey(a, allowLocal)).not.toBe(groupKey(b, allowLocal))
    }
  })

  it('are never valid peers, are recognised, and survive the record codec', () => {
    const a = internalAddress('seed.example.org')
    expect([isValid(a), isAcceptable(a, true), isInternalAddress(a), isInternalAddress(at('fd6b:88c0:8725::1'))]).toEqual([false, false, true, false])
    expect(addressOfKey(addrKey(a))).toEqual(a)
  })
})
