import { describe, expect, it } from 'vitest'
import { loadNetwork } from '../../src/chainparams/chainparams.ts'
import { parseSubnet } from '../../src/http/subnet.ts'
import { checkRpcBinds, DEFAULT_RPC_PORT, defaultRpcBinds, rpcClientAllowed, rpcPortOf } from '../../src/rpc/binds.ts'

const allow = (...cidrs: string[]) => cidrs.map((c) => parseSubnet(c, '--rpcallowip'))

describe('checkRpcBinds (Core\'s -rpcbind/-rpcallowip rule)', () => {
  it('accepts loopback binds without an allow list', () => {
    expect(() => { checkRpcBinds([{ host: '127.0.0.1', port: 1 }, { host: '::1', port: 1 }, { host: 'localhost', port: 1 }, { host: '127.9.9.9', port: 1 }], []) }).not.toThrow()
  })

  it.each([['0.0.0.0'], ['::'], ['192.168.1.5'], ['node.example']])('refuses %s without --rpcallowip', (host) => {
    expect(() => { checkRpcBinds([{ host: '127.0.0.1', port: 8432 }, { host, port: 8432 }], []) }).toThrow(/^--rpclisten .*:8432: a non-loopback RPC address needs --rpcallowip CIDR/)
  })

  it('accepts any bind once an allow list is given', () => {
    expect(() => { checkRpcBinds([{ host: '0.0.0.0', port: 1 }], allow('10.0.0.0/8')) }).not.toThrow()
  })
})

describe('rpcClientAllowed', () => {
  it('always allows loopback, and the allow list on top', () => {
    const allowed = rpcClientAllowed(allow('10.0.0.0/8', '2001:db8::/32'))
    expect(['127.0.0.1', '::1', '10.1.1.1', '::ffff:10.1.1.1', '2001:db8::5'].every(allowed)).toBe(true)
    expect(['192.168.0.1', '2001:db9::1'].some(allowed)).toBe(false)
    expect(rpcClientAllowed([])('192.168.0.1')).toBe(false)
  })
})

describe('RPC ports', () => {
  it('takes the network\'s rpcPort, or the default for a custom file without one', () => {
    expect(rpcPortOf(loadNetwork('regtest'))).toBe(18543)
    expect(rpcPortOf({})).toBe(DEFAULT_RPC_PORT)
    expect(defaultRpcBinds(18543)).toEqual([{ host: '127.0.0.1', port: 18543 }])
  })
})
