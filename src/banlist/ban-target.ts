import { isIPv4 } from 'node:net'
import { isIPv6Text as isIPv6 } from '../netaddr/ip-text.ts'
import { bytesToIp, ipToBytes, isIPv4Mapped, networkOf } from '../netaddr/netaddress.ts'
import { BanInputError } from './errors.ts'

/**
 * What a ban covers, in canonical form. `key` is the identity of the ban: a canonical host for a single
 * address (`1.2.3.4`, `2001:db8::1`, `<56>.onion`) or `network/prefix` with the host bits cleared for a
 * subnet (`10.0.0.0/8`). IPv4-mapped IPv6 is written as IPv4 so one address never has two keys.
 */
export interface BanTarget {
  readonly key: string
  /** Address bytes (4 or 16) with host bits cleared; undefined for Tor/I2P hosts, which are banned exactly. */
  readonly bytes: Uint8Array | undefined
  /** Prefix length in bits; the full length (32/128) for a single address. */
  readonly prefixBits: number
}

const IPV4_MAPPED_PREFIX_BITS = 96 // ::ffff:0:0/96 holds the IPv4 space
const PREFIX_TEXT = /^\d{1,3}$/

/** Parses `IP`, `IP/prefix` or a Tor v3 / I2P host; throws BanInputError naming the value. */
export function parseBanTarget (text: string): BanTarget {
  const input = text.trim().toLowerCase()
  const slash = input.indexOf('/')
  const hostText = slash < 0 ? input : input.slice(0, slash)
  const prefixText = slash < 0 ? undefined : input.slice(slash + 1)
  if (!isIPv4(hostText) && !isIPv6(hostText)) {
    const network = networkOf(hostText)
    if (prefixText === undefined && (network === 'torv3' || network === 'i2p')) {
      return { key: hostText, bytes: undefined, prefixBits: 0 }
    }
    throw new BanInputError(`ban target "${text}" is not an IP address, CIDR subnet (IP/prefix) or .onion/.i2p address`)
  }
  let bytes = ipToBytes(hostText)
  let prefixBits = bytes.length * 8
  if (prefixText !== undefined) {
    prefixBits = PREFIX_TEXT.test(prefixText) ? Number(prefixText) : NaN
    if (!(prefixBits <= bytes.length * 8)) {
      throw new BanInputError(`ban target "${text}" has prefix "/${prefixText}" (expected 0-${bytes.length * 8} for ${bytes.length === 4 ? 'IPv4' : 'IPv6'})`)
    }
  }
  if (isIPv4Mapped(bytes) && prefixBits >= IPV4_MAPPED_PREFIX_BITS) {
    bytes = bytes.slice(12)
    prefixBits -= IPV4_MAPPED_PREFIX_BITS
  }
  const masked = maskBytes(bytes, prefixBits)
  return { key: subnetKey(masked, prefixBits), bytes: masked, prefixBits }
}

/**
 * The bytes of an IP host as it is banned (IPv4-mapped IPv6 becomes 4 bytes); undefined for anything
 * that is not an IP literal. Used on every dial and accept, so it never throws.
 */
export function hostBytes (host: string): Uint8Array | undefined {
  if (isIPv4(host)) return ipToBytes(host)
  if (!isIPv6(host)) return undefined
  const bytes = ipToBytes(host)
  return isIPv4Mapped(bytes) ? bytes.slice(12) : bytes
}

/** The key a ban on `bytes/prefixBits` is stored under; a full-length prefix is the bare host. */
export function subnetKey (bytes: Uint8Array, prefixBits: number): string {
  const ip = bytesToIp(bytes)
  return prefixBits === bytes.length * 8 ? ip : `${ip}/${prefixBits}`
}

/** A copy of `bytes` with every bit after the first `prefixBits` cleared. */
export function maskBytes (bytes: Uint8Array, prefixBits: number): Uint8Array {
  const out = bytes.slice()
  for (let i = 0; i < out.length; i++) {
    const keep = Math.min(8, Math.max(0, prefixBits - i * 8))
    out[i] = (out[i] ?? 0) & ((0xff << (8 - keep)) & 0xff)
  }
  return out
}
