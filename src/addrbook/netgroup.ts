import { hash } from 'node:crypto'
import { bytesToIp, ipToBytes } from '../netaddr/netaddress.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'

/**
 * Network groups and routability, after Bitcoin Core's NetGroupManager::GetGroup and CNetAddr::IsRoutable.
 * A group is the unit of diversity: an attacker controls few of them cheaply, so the address book places
 * addresses by group and the node keeps at most one outbound peer per group.
 */

/** The single group shared by every local or unroutable address (Core: NET_UNROUTABLE). */
export const UNROUTABLE_GROUP = 'unroutable'

/**
 * Core's internal addresses (CNetAddr::SetInternal): fd6b:88c0:8724::/48 followed by 10 bytes of
 * SHA-256(name). They stand for a name, such as a DNS seed, as the source of the addresses it gave,
 * so each seed is its own source group. Never valid as a peer address.
 */
const INTERNAL_PREFIX = Uint8Array.from([0xfd, 0x6b, 0x88, 0xc0, 0x87, 0x24])
const INTERNAL_HASH_BYTES = 10

/** Core's "1 in 16" bucketing for Tor and I2P: the top 4 bits of the key hash in the name. */
const PRIVACY_NET_GROUP_BITS = 4
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

/** IPv4 classes that Core refuses to route (each comment names the RFC). */
function ipv4Unroutable (a: number, b: number, c: number): boolean {
  return a === 0 || a === 127 || // "this network" and loopback (IsLocal)
    a === 10 || (a === 172 && (b & 0xf0) === 16) || (a === 192 && b === 168) || // RFC 1918 private
    (a === 198 && (b & 0xfe) === 18) || // RFC 2544 benchmarking
    (a === 169 && b === 254) || // RFC 3927 link-local
    (a === 100 && (b & 0xc0) === 64) || // RFC 6598 carrier-grade NAT
    (a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113) // RFC 5737 documentation
}

/** IPv4 addresses nobody can be dialed at, even on regtest (Core's IsValid, plus multicast and reserved). */
function ipv4Invalid (a: number, b: number, c: number, d: number): boolean {
  return (a === 0 && b === 0 && c === 0 && d === 0) || a >= 224 // any, multicast 224/4, reserved 240/4 and broadcast
}

/** Where an IPv6 address carries an IPv4 one (6to4, Teredo, NAT64, SIIT), its 4 bytes; else undefined. */
export function embeddedIPv4 (b: Uint8Array): Uint8Array | undefined {
  if (b[0] === 0x20 && b[1] === 0x02) return b.subarray(2, 6) // RFC 3964 6to4 2002::/16
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) { // RFC 4380 Teredo 2001::/32, client IPv4 bit-inverted
    return Uint8Array.from(b.subarray(12, 16), (x) => x ^ 0xff)
  }
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b.subarray(4, 12).every((x) => x === 0)) return b.subarray(12, 16) // RFC 6052 NAT64 64:ff9b::/96
  if (b.subarray(0, 8).every((x) => x === 0) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return b.subarray(12, 16) // RFC 6145 SIIT ::ffff:0:0:0/96
  return undefined
}

function ipv6Unroutable (b: Uint8Array): boolean {
  const b0 = b[0] ?? 0
  const b1 = b[1] ?? 0
  return (b0 & 0xfe) === 0xfc || // RFC 4193 unique local (fc00::/8 is CJDNS, its own network)
    (b0 === 0xfe && (b1 & 0xc0) === 0x80) || // RFC 4862 link-local fe80::/10
    (b0 === 0x20 && b1 === 0x01 && b[2] === 0x00 && ((b[3] ?? 0) & 0xf0) === 0x10) || // RFC 4843 ORCHID 2001:10::/28
    (b0 === 0x20 && b1 === 0x01 && b[2] === 0x00 && ((b[3] ?? 0) & 0xf0) === 0x20) || // RFC 7343 ORCHIDv2 2001:20::/28
    (b.subarray(0, 15).every((x) => x === 0) && b[15] === 1) // ::1 loopback (IsLocal)
}

/** The internal address of `name` (port 0): the source the address book records for what `name` gave. */
export function internalAddress (name: string): NetAddress {
  const digest = hash('sha256', name.toLowerCase(), 'buffer').subarray(0, INTERNAL_HASH_BYTES)
  return { network: 'ipv6', host: bytesToIp(Uint8Array.from([...INTERNAL_PREFIX, ...digest])), port: 0 }
}

function isInternalBytes (b: Uint8Array): boolean {
  return INTERNAL_PREFIX.every((x, i) => b[i] === x)
}

/** Whether `addr` is an internal address (internalAddress), i.e. a name rather than a peer. */
export function isInternalAddress (addr: NetAddress): boolean {
  return addr.network === 'ipv6' && isInternalBytes(ipToBytes(addr.host))
}

function ipv6Invalid (b: Uint8Array): boolean {
  return b.every((x) => x === 0) || isInternalBytes(b) || // unspecified ::
    (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) || // RFC 3849 documentation 2001:db8::/32
    b[0] === 0xff // multicast can never be a peer
}

const INVALID = 0
const UNROUTABLE = 1
const ROUTABLE = 2
type Reach = typeof INVALID | typeof UNROUTABLE | typeof ROUTABLE

/** How far an address can be used, from one parse of its bytes (which are returned for grouping). */
function reachOf (addr: NetAddress): { reach: Reach, bytes: Uint8Array | undefined } {
  if (addr.network === 'ipv4') return { reach: ipv4Reach(dottedIPv4Value(addr.host)), bytes: undefined }
  if (addr.network === 'ipv6' || addr.network === 'cjdns') {
    const bytes = ipToBytes(addr.host)
    if (addr.network === 'cjdns') return { reach: ROUTABLE, bytes }
    if (ipv6Invalid(bytes)) return { reach: INVALID, bytes }
    const v4 = embeddedIPv4(bytes)
    if (v4 === undefined) return { reach: ipv6Unroutable(bytes) ? UNROUTABLE : ROUTABLE, bytes }
    const [a = 0, b = 0, c = 0, d = 0] = v4
    return { reach: ipv4Invalid(a, b, c, d) ? INVALID : ipv6Unroutable(bytes) || ipv4Unroutable(a, b, c) ? UNROUTABLE : ROUTABLE, bytes }
  }
  return { reach: ROUTABLE, bytes: undefined } // Tor v3 and I2P addresses are routable within their networks
}

/** Whether anyone could be dialed at this address at all (Core's IsValid, plus multicast). */
export function isValid (addr: NetAddress): boolean {
  return reachOf(addr).reach !== INVALID
}

/**
 * Core's IsRoutable: valid and in none of the private, local, documentation, benchmarking or reserved
 * ranges. Unlike Core, an IPv6 address that embeds an IPv4 one (6to4, Teredo, NAT64, SIIT) is judged by
 * that IPv4 address too, so 2002:a00:1:: (6to4 of 10.0.0.1) is not routable either.
 */
export function isRoutable (addr: NetAddress): boolean {
  return reachOf(addr).reach === ROUTABLE
}

/**
 * Whether the address book takes this address: routable ones always; with `allowLocal` (regtest-like
 * chainparams) also loopback, private and other valid-but-unroutable IP addresses.
 */
export function isAcceptable (addr: NetAddress, allowLocal: boolean): boolean {
  const { reach } = reachOf(addr)
  return reach === ROUTABLE || (allowLocal && reach === UNROUTABLE)
}

/**
 * The diversity group: `a.b.0.0/16` for IPv4 and IPv6 carrying IPv4; `xxxx:yyyy::/32` for IPv6
 * (`2001:470:x000::/36` for Hurricane Electric, which hands out /36s to anyone); `torv3:N`, `i2p:N`
 * (N = top 4 bits of the key, 16 groups as in Core) and `cjdns:fcN` (12 bits, as in Core); `internal:H`
 * (H = the 10 hash bytes in hex) for internal addresses, one group per name as in Core; and
 * UNROUTABLE_GROUP for everything else unroutable. With `allowLocal`, valid unroutable IP addresses get
 * their prefix group as if routable, so a test network on 127.A.B.C has one group per 127.A.
 */
export function groupKey (addr: NetAddress, allowLocal: boolean): string {
  if (addr.network === 'ipv4') { // nearly every address: no byte array, no new string
    const ip = dottedIPv4Value(addr.host)
    const reach = ipv4Reach(ip)
    return reach === INVALID || (reach === UNROUTABLE && !allowLocal) ? UNROUTABLE_GROUP : ipv4Group(ip >>> 24, (ip >>> 16) & 0xff)
  }
  const { reach, bytes = new Uint8Array(16) } = reachOf(addr)
  if (addr.network === 'ipv6' && isInternalBytes(bytes)) return `internal:${Buffer.from(bytes.subarray(INTERNAL_PREFIX.length)).toString('hex')}`
  if (reach === INVALID || (reach === UNROUTABLE && !allowLocal)) return UNROUTABLE_GROUP
  switch (addr.network) {
    case 'ipv6': {
      const v4 = embeddedIPv4(bytes)
      if (v4 !== undefined) return ipv4Group(v4[0] ?? 0, v4[1] ?? 0)
      const g0 = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)
      const g1 = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)
      if (g0 === 0x2001 && g1 === 0x0470) return `2001:470:${(((bytes[4] ?? 0) << 8) & 0xf000).toString(16)}::/36`
      return `${g0.toString(16)}:${g1.toString(16)}::/32`
    }
    case 'cjdns':
      return `cjdns:${(((bytes[0] ?? 0) << 4) | ((bytes[1] ?? 0) >> 4)).toString(16)}`
    case 'torv3':
    case 'i2p':
      return `${addr.network}:${(BASE32_ALPHABET.indexOf(addr.host[0] ?? 'a') >> (5 - PRIVACY_NET_GROUP_BITS)).toString(16)}`
  }
}

/**
 * A canonical dotted IPv4 host (NetAddress guarantees the form) as an unsigned 32-bit number.
 * Hand-rolled because grouping runs for every gossiped and every loaded address, and the general
 * ipToBytes costs several times more.
 */
function dottedIPv4Value (host: string): number {
  let value = 0
  let part = 0
  for (let i = 0; i < host.length; i++) {
    const code = host.charCodeAt(i)
    if (code === 0x2e) {
      value = (value << 8) | part
      part = 0
    } else {
      part = part * 10 + code - 0x30
    }
  }
  return ((value << 8) | part) >>> 0
}

function ipv4Reach (ip: number): Reach {
  const a = ip >>> 24
  const b = (ip >>> 16) & 0xff
  const c = (ip >>> 8) & 0xff
  return ipv4Invalid(a, b, c, ip & 0xff) ? INVALID : ipv4Unroutable(a, b, c) ? UNROUTABLE : ROUTABLE
}

/**
 * Group names by /16 (index a << 8 | b), made once: every address of a /16 shares one string. An array,
 * not a Map: a book spans thousands of /16s and one indexed load beats a hash lookup.
 */
const ipv4Groups: Array<string | undefined> = new Array<string | undefined>(1 << 16).fill(undefined)

function ipv4Group (a: number, b: number): string {
  const slash16 = (a << 8) | b
  return ipv4Groups[slash16] ??= `${a}.${b}.0.0/16`
}
