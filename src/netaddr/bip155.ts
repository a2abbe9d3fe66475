import { createHash } from 'node:crypto'
import { bytesToIp, ipToBytes, type NetAddress, type Network } from './netaddress.ts'

/**
 * NetAddress ↔ the raw address bytes of BIP 155 (`addrv2`). Tor v3 and I2P hosts are the base32
 * names their networks use; the bytes are the 32-byte public key (Tor) or destination hash (I2P).
 */

/** BIP 155 network ids. Tor v2 (3) is retired: its entries are skipped like unknown ids. */
export const BIP155_NETWORK = { ipv4: 1, ipv6: 2, torv2: 3, torv3: 4, i2p: 5, cjdns: 6 } as const

/**
 * The address length of each BIP 155 network peerkeeper supports; any other length is malformed.
 * Tor v2 is absent on purpose: like unknown ids, its entries are skipped whatever their length.
 */
export const BIP155_ADDRESS_BYTES: Readonly<Record<number, number>> = {
  [BIP155_NETWORK.ipv4]: 4,
  [BIP155_NETWORK.ipv6]: 16,
  [BIP155_NETWORK.torv3]: 32,
  [BIP155_NETWORK.i2p]: 32,
  [BIP155_NETWORK.cjdns]: 16
}

const NETWORK_IDS: Readonly<Record<Network, number>> = {
  ipv4: BIP155_NETWORK.ipv4,
  ipv6: BIP155_NETWORK.ipv6,
  torv3: BIP155_NETWORK.torv3,
  i2p: BIP155_NETWORK.i2p,
  cjdns: BIP155_NETWORK.cjdns
}

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const TORV3_VERSION = 0x03
const TORV3_CHECKSUM_PREFIX = new TextEncoder().encode('.onion checksum')
const ONION_SUFFIX = '.onion'
const I2P_SUFFIX = '.b32.i2p'
const CJDNS_PREFIX = 0xfc // every CJDNS address is in fc00::/8

/**
 * IPv6 ranges that are not IPv6 peers: IPv4-mapped (::ffff:0:0/96, IPv4 has its own id), OnionCat
 * Tor v2 (fd87:d87e:eb43::/48) and Bitcoin Core's internal names (fd6b:88c0:8724::/48).
 */
const NOT_IPV6_PREFIXES: readonly (readonly number[])[] = [
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
  [0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43],
  [0xfd, 0x6b, 0x88, 0xc0, 0x87, 0x24]
]

/** RFC 4648 base32, lower case, without padding. */
export function base32Encode (bytes: Uint8Array): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += BASE32_ALPHABET[(value >> bits) & 31]
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31]
  return out
}

/** Inverse of base32Encode; undefined for foreign characters or non-zero leftover bits. */
export function base32Decode (text: string): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor(text.length * 5 / 8))
  let bits = 0
  let value = 0
  let index = 0
  for (const char of text) {
    const digit = BASE32_ALPHABET.indexOf(char)
    if (digit < 0) return undefined
    value = ((value << 5) | digit) & 0xfff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[index++] = (value >> bits) & 0xff
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) return undefined
  return out
}

function torV3Checksum (pubkey: Uint8Array): Uint8Array {
  return createHash('sha3-256').update(TORV3_CHECKSUM_PREFIX).update(pubkey).update(Uint8Array.of(TORV3_VERSION)).digest().subarray(0, 2)
}

/** `<56 base32>.onion` for a 32-byte Tor v3 public key. */
export function torV3Host (pubkey: Uint8Array): string {
  const raw = new Uint8Array(35)
  raw.set(pubkey)
  raw.set(torV3Checksum(pubkey), 32)
  raw[34] = TORV3_VERSION
  return base32Encode(raw) + ONION_SUFFIX
}

/** The 32-byte public key of a Tor v3 host, or undefined when its checksum or version is wrong. */
export function torV3PublicKey (host: string): Uint8Array | undefined {
  if (!host.endsWith(ONION_SUFFIX)) return undefined
  const raw = base32Decode(host.slice(0, -ONION_SUFFIX.length))
  if (raw?.length !== 35 || raw[34] !== TORV3_VERSION) return undefined
  const pubkey = raw.subarray(0, 32)
  const checksum = torV3Checksum(pubkey)
  if (raw[32] !== checksum[0] || raw[33] !== checksum[1]) return undefined
  return pubkey.slice()
}

function hasPrefix (bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte)
}

/** The BIP 155 network id and address bytes of `addr`; undefined when its host is not valid for its network. */
export function toBip155 (addr: NetAddress): { networkId: number, bytes: Uint8Array } | undefined {
  const networkId = NETWORK_IDS[addr.network]
  let bytes: Uint8Array | undefined
  try {
    switch (addr.network) {
      case 'ipv4':
      case 'ipv6':
      case 'cjdns':
        bytes = ipToBytes(addr.host)
        break
      case 'torv3':
        bytes = torV3PublicKey(addr.host)
        break
      case 'i2p':
        bytes = addr.host.endsWith(I2P_SUFFIX) ? base32Decode(addr.host.slice(0, -I2P_SUFFIX.length)) : undefined
        break
    }
  } catch {
    return undefined // ipToBytes refuses a host that is not an IP
  }
  if (bytes === undefined || bytes.length !== BIP155_ADDRESS_BYTES[networkId]) return undefined
  if (addr.network === 'cjdns' && bytes[0] !== CJDNS_PREFIX) return undefined
  return { networkId, bytes }
}

/**
 * A NetAddress from BIP 155 bytes, or undefined when the id is unknown or retired (Tor v2), the
 * length is wrong for the id, or the IPv6 bytes belong to another network (see NOT_IPV6_PREFIXES).
 * An IPv6 address in fc00::/8 is CJDNS, as everywhere in peerkeeper.
 */
export function fromBip155 (networkId: number, bytes: Uint8Array, port: number): NetAddress | undefined {
  if (BIP155_ADDRESS_BYTES[networkId] !== bytes.length) return undefined
  switch (networkId) {
    case BIP155_NETWORK.ipv4:
      return { network: 'ipv4', host: bytesToIp(bytes), port }
    case BIP155_NETWORK.ipv6:
      if (NOT_IPV6_PREFIXES.some((prefix) => hasPrefix(bytes, prefix))) return undefined
      return { network: bytes[0] === CJDNS_PREFIX ? 'cjdns' : 'ipv6', host: bytesToIp(bytes), port }
    case BIP155_NETWORK.torv3:
      return { network: 'torv3', host: torV3Host(bytes), port }
    case BIP155_NETWORK.i2p:
      return { network: 'i2p', host: base32Encode(bytes) + I2P_SUFFIX, port }
    case BIP155_NETWORK.cjdns:
      return bytes[0] === CJDNS_PREFIX ? { network: 'cjdns', host: bytesToIp(bytes), port } : undefined
    default:
      return undefined
  }
}
