import fc from 'fast-check'
import { BIP155_NETWORK, fromBip155 } from '../../src/netaddr/bip155.ts'
import type { NetAddress, TimedAddress } from '../../src/netaddr/netaddress.ts'
import type { KnownMessage, VersionNetAddr } from '../../src/wire/messages.ts'

/** fast-check generators for wire messages and the addresses inside them. */

export const MAINNET_MAGIC = Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9)

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
const i32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff })
const port = fc.integer({ min: 0, max: 0xffff })

/** Valid addresses on one network, built from raw BIP 155 bytes so hosts are canonical. */
function fromBytes (networkId: number, length: number, first?: number): fc.Arbitrary<NetAddress> {
  return fc.tuple(fc.uint8Array({ minLength: length, maxLength: length }), port)
    .map(([bytes, p]) => {
      if (first !== undefined) bytes[0] = first
      return fromBip155(networkId, bytes, p)
    })
    .filter((addr): addr is NetAddress => addr !== undefined)
}

export const arbIPv4 = fromBytes(BIP155_NETWORK.ipv4, 4)
export const arbIPv6 = fromBytes(BIP155_NETWORK.ipv6, 16).filter((a) => a.network === 'ipv6')
export const arbCjdns = fromBytes(BIP155_NETWORK.cjdns, 16, 0xfc)
export const arbTorV3 = fromBytes(BIP155_NETWORK.torv3, 32)
export const arbI2p = fromBytes(BIP155_NETWORK.i2p, 32)

/** Addresses `addr` v1 can carry. */
export const arbV1Address = fc.oneof(arbIPv4, arbIPv6, arbCjdns)
export const arbNetAddress = fc.oneof(arbIPv4, arbIPv6, arbCjdns, arbTorV3, arbI2p)

function timed (addr: fc.Arbitrary<NetAddress>): fc.Arbitrary<TimedAddress> {
  return fc.record({ addr, services: u64, time: u32 })
}

const arbVersionNetAddr: fc.Arbitrary<VersionNetAddr> = fc.record({
  services: u64,
  host: arbV1Address.map((a) => a.host),
  port
})

/** Any user agent whose UTF-8 fits in 256 bytes (lone surrogates excluded: they do not round-trip). */
const arbUserAgent = fc.string({ unit: 'binary', maxLength: 64 })
  .filter((s) => Buffer.from(s).toString() === s && Buffer.byteLength(s) <= 256)

export const arbKnownMessage: fc.Arbitrary<KnownMessage> = fc.oneof(
  fc.record({
    command: fc.constant('version' as const),
    version: i32,
    services: u64,
    timestamp: i64,
    addrRecv: arbVersionNetAddr,
    addrFrom: arbVersionNetAddr,
    nonce: u64,
    userAgent: arbUserAgent,
    startHeight: i32,
    relay: fc.boolean()
  }),
  fc.constantFrom('verack', 'getaddr', 'sendaddrv2', 'wtxidrelay', 'sendheaders').map((command) => ({ command })),
  fc.record({ command: fc.constantFrom('ping' as const, 'pong' as const), nonce: u64 }),
  fc.record({ command: fc.constant('addr' as const), addrs: fc.array(timed(arbV1Address), { maxLength: 20 }) }),
  fc.record({ command: fc.constant('addrv2' as const), addrs: fc.array(timed(arbNetAddress), { maxLength: 20 }) }),
  fc.record({ command: fc.constant('sendcmpct' as const), announce: fc.boolean(), version: u64 }),
  fc.record({ command: fc.constant('feefilter' as const), feeRate: i64 })
)

/** Cuts `bytes` into chunks at arbitrary points. */
export function chunked (bytes: Uint8Array): fc.Arbitrary<Uint8Array[]> {
  return fc.array(fc.nat({ max: bytes.length }), { maxLength: 12 }).map((cuts) => {
    const points = [...new Set(cuts)].sort((a, b) => a - b)
    return [...points, bytes.length].map((end, i) => bytes.subarray(i === 0 ? 0 : points[i - 1], end))
  })
}
