import { isIPv4 } from 'node:net'
import { isIPv6Text as isIPv6 } from './ip-text.ts'
import { AddressParseError } from './errors.ts'

/** The BIP 155 networks peerkeeper understands (Tor v2 is gone from the network and is not modelled). */
export type Network = 'ipv4' | 'ipv6' | 'torv3' | 'i2p' | 'cjdns'

/**
 * A dialable peer address. `host` is canonical: dotted IPv4, compressed lower-case IPv6,
 * `<56 base32>.onion` for Tor v3, `<52 base32>.b32.i2p` for I2P, and an fc00::/8 IPv6 for CJDNS.
 */
export interface NetAddress {
  readonly network: Network
  readonly host: string
  readonly port: number
}

/** An address as gossiped: with the services it claims and when it was last seen (Unix seconds). */
export interface TimedAddress {
  readonly addr: NetAddress
  readonly services: bigint
  readonly time: number
}

/** An unresolved HOST[:PORT] from the command line or a config file. */
export interface HostPort {
  readonly host: string
  readonly port: number
}

const TORV3_HOST = /^[a-z2-7]{56}\.onion$/
const I2P_HOST = /^[a-z2-7]{52}\.b32\.i2p$/
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i

export function isValidPort (port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535
}

/** The map key of an address: `1.2.3.4:8333`, `[2001:db8::1]:8333`, `abc….onion:8333`. */
export function addrKey (addr: { host: string, port: number }): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`
}

export function sameAddress (a: NetAddress, b: NetAddress): boolean {
  return a.host === b.host && a.port === b.port
}

/**
 * Splits `HOST[:PORT]` or `[IPv6][:PORT]` (a bare IPv6 literal also works) and checks both parts.
 * `what`, when given, names the value in the error (`seed: "…" …`); the CLI adds flag names itself.
 */
export function parseHostPort (input: string, defaultPort: number, what?: string): HostPort {
  const text = input.trim()
  const named = what === undefined ? '' : `${what}: `
  let host: string
  let portText: string | undefined
  if (text.startsWith('[')) {
    const end = text.indexOf(']')
    if (end < 0) throw new AddressParseError(`${named}"${input}" has an unclosed "[" (expected [IPv6]:PORT)`)
    host = text.slice(1, end)
    const rest = text.slice(end + 1)
    if (rest !== '' && !rest.startsWith(':')) throw new AddressParseError(`${named}"${input}" has text after "]" (expected [IPv6]:PORT)`)
    portText = rest === '' ? undefined : rest.slice(1)
  } else if (isIPv6(text)) {
    host = text
  } else {
    const colon = text.lastIndexOf(':')
    host = colon < 0 ? text : text.slice(0, colon)
    portText = colon < 0 ? undefined : text.slice(colon + 1)
  }
  let port = defaultPort
  if (portText !== undefined) {
    port = /^\d+$/.test(portText) ? Number(portText) : NaN
    if (!isValidPort(port)) throw new AddressParseError(`${named}"${input}" has port "${portText}" (expected 1-65535)`)
  }
  host = host.toLowerCase()
  if (!isIPv4(host) && !isIPv6(host) && !HOSTNAME.test(host)) {
    throw new AddressParseError(`${named}"${input}" is not a host name or IP address`)
  }
  return { host: isIPv6(host) ? canonicalIPv6(host) : host, port }
}

/** The network of a host literal, or undefined for a DNS name that still needs resolving. */
export function networkOf (host: string): Network | undefined {
  if (isIPv4(host)) return 'ipv4'
  if (isIPv6(host)) {
    const bytes = ipToBytes(host)
    if (isIPv4Mapped(bytes)) return 'ipv4'
    return bytes[0] === 0xfc ? 'cjdns' : 'ipv6'
  }
  if (TORV3_HOST.test(host)) return 'torv3'
  if (I2P_HOST.test(host)) return 'i2p'
  return undefined
}

/**
 * A NetAddress from a literal host (IP, Tor v3 onion, I2P); undefined for names that need DNS.
 * An IPv4-mapped IPv6 literal becomes plain IPv4 so one peer never has two keys.
 */
export function toNetAddress (host: string, port: number): NetAddress | undefined {
  const lower = host.toLowerCase()
  const network = networkOf(lower)
  if (network === undefined) return undefined
  if (network === 'ipv4' && isIPv6(lower)) return { network, host: bytesToIp(ipToBytes(lower).subarray(12)), port }
  if (network === 'ipv6' || network === 'cjdns') return { network, host: canonicalIPv6(lower), port }
  return { network, host: lower, port }
}

/** Like toNetAddress but throws, naming `what`, for hosts that are not literals. */
export function netAddressFrom (hp: HostPort, what = 'address'): NetAddress {
  const addr = toNetAddress(hp.host, hp.port)
  if (addr === undefined) throw new AddressParseError(`${what}: "${hp.host}" is a name, not an IP or .onion address`)
  return addr
}

/** True for ::ffff:a.b.c.d (16 bytes whose last 4 are an IPv4 address). */
export function isIPv4Mapped (bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false
  return bytes[10] === 0xff && bytes[11] === 0xff
}

/** 4 bytes for IPv4, 16 for IPv6 (embedded dotted IPv4 tails are understood). */
export function ipToBytes (ip: string): Uint8Array {
  if (isIPv4(ip)) return Uint8Array.from(ip.split('.').map(Number))
  if (!isIPv6(ip)) throw new AddressParseError(`"${ip}" is not an IP address`)
  // Rewrite a dotted IPv4 tail (::ffff:1.2.3.4) as two hex groups so one parser handles both forms.
  const lastColon = ip.lastIndexOf(':')
  const last = ip.slice(lastColon + 1)
  let text = ip
  if (isIPv4(last)) {
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number)
    text = `${ip.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const toGroups = (part: string): number[] => part === '' ? [] : part.split(':').map((h) => parseInt(h, 16))
  const gap = text.indexOf('::')
  const head = toGroups(gap < 0 ? text : text.slice(0, gap))
  const tail = gap < 0 ? [] : toGroups(text.slice(gap + 2))
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  const out = new Uint8Array(16)
  groups.forEach((g, i) => { out[i * 2] = g >> 8; out[i * 2 + 1] = g & 0xff })
  return out
}

/** Dotted IPv4 for 4 bytes, RFC 5952 compressed IPv6 for 16. */
export function bytesToIp (bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}` // hot in addr decoding
  if (bytes.length !== 16) throw new AddressParseError(`an IP address has 4 or 16 bytes, not ${bytes.length}`)
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0))
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) { bestStart = i; bestLen = j - i }
    i = j
  }
  let text = ''
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) { text += '::'; i += bestLen - 1; continue }
    if (text !== '' && !text.endsWith(':')) text += ':'
    text += (groups[i] as number).toString(16)
  }
  return text
}

export function canonicalIPv6 (ip: string): string {
  return bytesToIp(ipToBytes(ip))
}
