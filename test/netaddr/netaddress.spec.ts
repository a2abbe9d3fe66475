import { describe, expect, it } from 'vitest'
import { addrKey, bytesToIp, ipToBytes, parseHostPort, toNetAddress } from '../../src/netaddr/netaddress.ts'

describe('IP bytes', () => {
  it.each([
    ['::1', '::1'], ['::', '::'], ['2001:0DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['::ffff:1.2.3.4', '::ffff:102:304'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'], ['fe80::1:2', 'fe80::1:2'], ['1.2.3.4', '1.2.3.4']
  ])('round-trips %s to the canonical %s', (input, canonical) => {
    expect(bytesToIp(ipToBytes(input.toLowerCase()))).toBe(canonical)
  })
})

describe('parseHostPort', () => {
  it('splits host and port, with the default port when none is given', () => {
    expect(parseHostPort('[::1]:18444', 8333)).toEqual({ host: '::1', port: 18444 })
    expect(parseHostPort('::1', 8333)).toEqual({ host: '::1', port: 8333 })
    expect(parseHostPort('127.0.0.2', 8333)).toEqual({ host: '127.0.0.2', port: 8333 })
    expect(parseHostPort('Seed.Example.org:1', 8333)).toEqual({ host: 'seed.example.org', port: 1 })
  })

  it.each([
    ['1.2.3.4:0', /--addpeer: "1.2.3.4:0" has port "0" \(expected 1-65535\)/],
    ['host:abc', /has port "abc"/],
    ['[::1', /unclosed/],
    ['a b', /not a host name or IP address/]
  ])('rejects %s naming the flag', (input, message) => {
    expect(() => parseHostPort(input, 8333, '--addpeer')).toThrow(message)
  })
})

describe('toNetAddress', () => {
  it('classifies literals and folds IPv4-mapped IPv6 into IPv4', () => {
    expect(toNetAddress('::ffff:1.2.3.4', 1)).toEqual({ network: 'ipv4', host: '1.2.3.4', port: 1 })
    expect(toNetAddress('fc00::1', 1)?.network).toBe('cjdns')
    expect(toNetAddress('2001:db8::1', 1)?.network).toBe('ipv6')
    expect(toNetAddress(`${'a'.repeat(56)}.onion`, 1)?.network).toBe('torv3')
    expect(toNetAddress('seed.example.org', 1)).toBeUndefined()
  })

  it('keys IPv6 with brackets', () => {
    expect(addrKey({ host: '::1', port: 8333 })).toBe('[::1]:8333')
    expect(addrKey({ host: '1.2.3.4', port: 8333 })).toBe('1.2.3.4:8333')
  })
})
