import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { base32Decode, base32Encode, BIP155_NETWORK, fromBip155, toBip155, torV3PublicKey } from '../../src/netaddr/bip155.ts'
import { chainParamsDir } from '../../src/chainparams/chainparams.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { arbNetAddress } from '../helpers/wire-arbitraries.ts'
import { hex } from '../helpers/wire-frames.ts'

/** A real Tor v3 seed from chainparams/signet.json; its key was decoded independently (Python base64.b32decode). */
const SIGNET_ONION = 'v7ajjeirttkbnt32wpy3c6w3emwnfr3fkla7hpxcfokr3ysd3kqtzmqd.onion'
const SIGNET_ONION_KEY = 'afc09491119cd416cf7ab3f1b17adb232cd2c76552c1f3bee22b951de243daa1'

describe('base32 (RFC 4648, lower case, no padding)', () => {
  it.each([['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foob', 'mzxw6yq'], ['fooba', 'mzxw6ytb'], ['foobar', 'mzxw6ytboi']])(
    'encodes the RFC 4648 vector %j as %s and back', (text, encoded) => {
      expect(base32Encode(Buffer.from(text))).toBe(encoded)
      expect(Buffer.from(base32Decode(encoded) ?? []).toString()).toBe(text)
    })

  it('refuses foreign characters and non-zero leftover bits', () => {
    expect(base32Decode('mzxw1')).toBeUndefined()
    expect(base32Decode('mz')).toBeUndefined() // 10 bits: 'f' and a non-zero leftover 01
  })
})

describe('Tor v3', () => {
  it('decodes the signet seed onion to its 32-byte key and back', () => {
    const raw = toBip155({ network: 'torv3', host: SIGNET_ONION, port: 38333 })
    expect(raw?.networkId).toBe(BIP155_NETWORK.torv3)
    expect(hex(raw?.bytes ?? new Uint8Array(0))).toBe(SIGNET_ONION_KEY)
    expect(fromBip155(BIP155_NETWORK.torv3, Buffer.from(SIGNET_ONION_KEY, 'hex'), 38333)).toEqual({ network: 'torv3', host: SIGNET_ONION, port: 38333 })
  })

  it('round-trips every onion seed listed in the shipped chainparams', () => {
    const onions = readFileSync(`${chainParamsDir()}/signet.json`, 'utf8').match(/[a-z2-7]{56}\.onion/g) ?? []
    expect(onions.length).toBeGreaterThan(0)
    for (const host of onions) {
      const raw = toBip155({ network: 'torv3', host, port: 1 })
      expect(raw, host).toBeDefined()
      expect(fromBip155(raw?.networkId ?? 0, raw?.bytes ?? new Uint8Array(0), 1)?.host).toBe(host)
    }
  })

  it('refuses a host whose checksum or version byte is wrong', () => {
    expect(torV3PublicKey(SIGNET_ONION.replace('v7a', 'v7b'))).toBeUndefined()
    const raw = base32Decode(SIGNET_ONION.slice(0, 56)) as Uint8Array
    raw[34] = 0x02
    expect(torV3PublicKey(`${base32Encode(raw)}.onion`)).toBeUndefined()
  })
})

describe('toBip155 / fromBip155', () => {
  it.each<[NetAddress, number, string]>([
    [{ network: 'ipv4', host: '1.2.3.4', port: 8333 }, 1, '01020304'],
    [{ network: 'ipv6', host: '2001:db8::1', port: 8333 }, 2, '20010db8000000000000000000000001'],
    [{ network: 'cjdns', host: 'fc00::1', port: 8333 }, 6, 'fc000000000000000000000000000001'],
    [{ network: 'i2p', host: `${'a'.repeat(52)}.b32.i2p`, port: 0 }, 5, '00'.repeat(32)]
  ])('maps %j to network %i bytes %s and back', (addr, networkId, bytesHex) => {
    const raw = toBip155(addr)
    expect(raw?.networkId).toBe(networkId)
    expect(hex(raw?.bytes ?? new Uint8Array(0))).toBe(bytesHex)
    expect(fromBip155(networkId, Buffer.from(bytesHex, 'hex'), addr.port)).toEqual(addr)
  })

  it.each<[string, number, string]>([
    ['Tor v2 (retired)', 3, '00'.repeat(10)],
    ['an unknown network id', 9, '00'.repeat(4)],
    ['a length that does not match the network', 1, '00'.repeat(5)],
    ['CJDNS outside fc00::/8', 6, 'fd'.padEnd(32, '0')],
    ['IPv4-mapped bytes under the IPv6 id', 2, '00000000000000000000ffff01020304'],
    ['OnionCat Tor v2 under the IPv6 id', 2, 'fd87d87eeb43'.padEnd(32, '0')]
  ])('gives undefined for %s', (_name, networkId, bytesHex) => {
    expect(fromBip155(networkId, Buffer.from(bytesHex, 'hex'), 1)).toBeUndefined()
  })

  it('gives undefined for hosts that are not valid on their network', () => {
    expect(toBip155({ network: 'ipv4', host: 'example.org', port: 1 })).toBeUndefined()
    expect(toBip155({ network: 'cjdns', host: '2001:db8::1', port: 1 })).toBeUndefined()
    expect(toBip155({ network: 'i2p', host: `${'a'.repeat(51)}.b32.i2p`, port: 1 })).toBeUndefined()
  })

  it('round-trips any address (property)', () => {
    fc.assert(fc.property(arbNetAddress, (addr) => {
      const raw = toBip155(addr)
      expect(raw).toBeDefined()
      expect(fromBip155(raw?.networkId ?? 0, raw?.bytes ?? new Uint8Array(0), addr.port)).toEqual(addr)
    }), { seed: 155, numRuns: 300 })
  })
})
