import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MessageDecoder } from '../../src/wire/decoder.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { WireEncodeError } from '../../src/wire/errors.ts'
import type { KnownMessage, Message } from '../../src/wire/messages.ts'
import { arbKnownMessage, MAINNET_MAGIC } from '../helpers/wire-arbitraries.ts'
import { frame, hex, unhex } from '../helpers/wire-frames.ts'

/**
 * Byte-exact frames (header with checksum + payload). Payloads were written by hand from the field
 * layouts of the developer reference and BIP 155/152/133; the checksums were computed outside this
 * code base (Python hashlib, double SHA-256).
 */

function decodeOne (bytes: Uint8Array): Message {
  const out = new MessageDecoder(MAINNET_MAGIC).push(bytes)
  expect(out).toHaveLength(1)
  return out[0] as Message
}

const ONION_PUBKEY = 'afc09491119cd416cf7ab3f1b17adb232cd2c76552c1f3bee22b951de243daa1'
const ONION_HOST = 'v7ajjeirttkbnt32wpy3c6w3emwnfr3fkla7hpxcfokr3ysd3kqtzmqd.onion' // chainparams/signet.json seed

const VECTORS: Array<[string, KnownMessage, string]> = [
  [
    // The annotated `version` example of the Bitcoin developer reference,
    // https://developer.bitcoin.org/reference/p2p_networking.html#version (payload; the header is ours).
    'version (developer reference example)',
    {
      command: 'version',
      version: 70002,
      services: 1n,
      timestamp: 1415483324n,
      addrRecv: { services: 1n, host: '198.27.100.9', port: 8333 },
      addrFrom: { services: 1n, host: '203.0.113.192', port: 8333 },
      nonce: 0xf85379c9cb358012n,
      userAgent: '/Satoshi:0.9.3/',
      startHeight: 329167,
      relay: true
    },
    `f9beb4d9 76657273696f6e0000000000 65000000 5f1a69d2
     72110100 0100000000000000 bc8f5e5400000000
     0100000000000000 00000000000000000000ffffc61b6409 208d
     0100000000000000 00000000000000000000ffffcb0071c0 208d
     128035cbc97953f8 0f 2f5361746f7368693a302e392e332f cf050500 01`
  ],
  ['verack', { command: 'verack' }, 'f9beb4d9 76657261636b000000000000 00000000 5df6e0e2'],
  ['getaddr', { command: 'getaddr' }, 'f9beb4d9 676574616464720000000000 00000000 5df6e0e2'],
  ['sendaddrv2', { command: 'sendaddrv2' }, 'f9beb4d9 73656e646164647276320000 00000000 5df6e0e2'],
  ['wtxidrelay', { command: 'wtxidrelay' }, 'f9beb4d9 777478696472656c61790000 00000000 5df6e0e2'],
  ['sendheaders', { command: 'sendheaders' }, 'f9beb4d9 73656e646865616465727300 00000000 5df6e0e2'],
  ['ping', { command: 'ping', nonce: 0x0123456789abcdefn }, 'f9beb4d9 70696e670000000000000000 08000000 33bc15e5 efcdab8967452301'],
  ['pong', { command: 'pong', nonce: 0x0123456789abcdefn }, 'f9beb4d9 706f6e670000000000000000 08000000 33bc15e5 efcdab8967452301'],
  [
    // The one-entry `addr` hexdump of the Bitcoin wiki's protocol documentation (10.0.0.1:8333).
    'addr',
    { command: 'addr', addrs: [{ addr: { network: 'ipv4', host: '10.0.0.1', port: 8333 }, services: 1n, time: 0x4d1015e2 }] },
    'f9beb4d9 616464720000000000000000 1f000000 ed52399b 01 e215104d 0100000000000000 00000000000000000000ffff0a000001 208d'
  ],
  [
    'addrv2 (IPv4, Tor v3, I2P, CJDNS)',
    {
      command: 'addrv2',
      addrs: [
        { addr: { network: 'ipv4', host: '1.2.3.4', port: 8333 }, services: 9n, time: 100_000_000 },
        { addr: { network: 'torv3', host: ONION_HOST, port: 38333 }, services: 1024n, time: 0xffff_ffff },
        { addr: { network: 'i2p', host: 'aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq.b32.i2p', port: 0 }, services: 0n, time: 1 },
        { addr: { network: 'cjdns', host: 'fc00::1', port: 0x1234 }, services: 1n, time: 2 }
      ]
    },
    `f9beb4d9 616464727632000000000000 7b000000 42660708 04
     00e1f505 09 01 04 01020304 208d
     ffffffff fd0004 04 20 ${ONION_PUBKEY} 95bd
     01000000 00 05 20 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 0000
     02000000 01 06 10 fc000000000000000000000000000001 1234`
  ],
  ['sendcmpct (BIP 152)', { command: 'sendcmpct', announce: true, version: 2n }, 'f9beb4d9 73656e64636d706374000000 09000000 5f09f00d 01 0200000000000000'],
  ['feefilter (BIP 133)', { command: 'feefilter', feeRate: 1000n }, 'f9beb4d9 66656566696c746572000000 08000000 e80fd19f e803000000000000']
]

describe('encodeMessage and the decoder on byte-exact vectors', () => {
  it.each(VECTORS)('%s', (_name, message, frameHex) => {
    const bytes = unhex(frameHex)
    expect(hex(encodeMessage(MAINNET_MAGIC, message))).toBe(hex(bytes))
    expect(decodeOne(bytes)).toEqual(message)
  })

  it('decodes addrv2 skipping Tor v2 and unknown network ids but keeping the entries after them', () => {
    const bytes = unhex(`f9beb4d9 616464727632000000000000 9a000000 6e3e4570 06
      00e1f505 09 01 04 01020304 208d
      ffffffff fd0004 04 20 ${ONION_PUBKEY} 95bd
      01000000 00 05 20 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 0000
      02000000 01 06 10 fc000000000000000000000000000001 1234
      03000000 01 03 0a 00000000000000000000 208d
      04000000 01 07 03 aabbcc 208d`)
    expect(decodeOne(bytes)).toEqual((VECTORS.find(([name]) => name.startsWith('addrv2')) as [string, KnownMessage, string])[1])
  })

  it('reads a version without the relay byte as relay=true (BIP 37) and ignores bytes after it', () => {
    const [, versionMessage] = VECTORS[0] as [string, KnownMessage, string]
    const full = encodeMessage(MAINNET_MAGIC, { ...versionMessage, relay: false } as KnownMessage)
    expect(decodeOne(frame('version', full.subarray(24, full.length - 1)))).toMatchObject({ command: 'version', relay: true, startHeight: 329167 })
    const extended = frame('version', Uint8Array.from([...full.subarray(24), 0xaa, 0xbb]))
    expect(decodeOne(extended)).toMatchObject({ command: 'version', relay: false })
  })

  it('sends addr entries that v1 cannot carry (Tor v3, I2P) only in addrv2', () => {
    const addrs = [
      { addr: { network: 'torv3' as const, host: ONION_HOST, port: 8333 }, services: 1n, time: 5 },
      { addr: { network: 'ipv6' as const, host: '2001:db8::1', port: 8333 }, services: 1n, time: 6 }
    ]
    expect(decodeOne(encodeMessage(MAINNET_MAGIC, { command: 'addr', addrs }))).toEqual({ command: 'addr', addrs: [addrs[1]] })
    expect(decodeOne(encodeMessage(MAINNET_MAGIC, { command: 'addrv2', addrs }))).toEqual({ command: 'addrv2', addrs })
  })

  it.each<[string, KnownMessage, RegExp]>([
    ['a user agent over 256 bytes', { ...(VECTORS[0]?.[1] as KnownMessage & { command: 'version' }), userAgent: 'x'.repeat(257) }, /user agent is 257 bytes, more than 256/],
    ['a nonce outside u64', { command: 'ping', nonce: 1n << 64n }, /ping nonce must be in/],
    ['more than 1000 addresses', { command: 'addrv2', addrs: new Array(1001).fill({ addr: { network: 'ipv4', host: '1.2.3.4', port: 1 }, services: 0n, time: 0 }) }, /addrv2 has 1001 entries, more than 1000/],
    ['an onion address with a bad checksum', { command: 'addrv2', addrs: [{ addr: { network: 'torv3', host: ONION_HOST.replace('v7a', 'v7b'), port: 1 }, services: 0n, time: 0 }] }, /torv3 address .* is not valid/],
    ['an out-of-range port', { command: 'addr', addrs: [{ addr: { network: 'ipv4', host: '1.2.3.4', port: 70000 }, services: 0n, time: 0 }] }, /addr port must be an integer/]
  ])('refuses to encode %s with a WireEncodeError', (_name, message, error) => {
    expect(() => encodeMessage(MAINNET_MAGIC, message)).toThrow(WireEncodeError)
    expect(() => encodeMessage(MAINNET_MAGIC, message)).toThrow(error)
  })

  it('writes a version address that is not an IP (a Tor peer) as ::', () => {
    const [, base] = VECTORS[0] as [string, KnownMessage & { command: 'version' }, string]
    const bytes = encodeMessage(MAINNET_MAGIC, { ...base, addrRecv: { services: 0n, host: ONION_HOST, port: 8333 } })
    expect(decodeOne(bytes)).toMatchObject({ addrRecv: { services: 0n, host: '::', port: 8333 } })
  })
})

describe('round trip (property)', () => {
  it('decode(encode(m)) equals m for every known message', () => {
    fc.assert(fc.property(arbKnownMessage, (message) => {
      expect(decodeOne(encodeMessage(MAINNET_MAGIC, message))).toEqual(message)
    }), { seed: 0x5eed, numRuns: 500 })
  })
})
