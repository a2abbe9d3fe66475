import { isIPv4 } from 'node:net'
import { hostBytes, maskBytes, subnetKey } from '../banlist/ban-target.ts'
import { SubnetParseError } from './errors.ts'

/** An IP subnet of an allow list, host bits cleared; IPv4-mapped IPv6 is matched as IPv4. */
export interface Subnet {
  readonly bytes: Uint8Array
  readonly prefixBits: number
  /** Canonical text: `10.0.0.0/8`, or the bare IP for a full-length prefix. */
  readonly text: string
}

const PREFIX_TEXT = /^\d{1,3}$/

/**
 * Parses an allow-list entry as Core's -rpcallowip takes it: `IP`, `IP/prefix` or an IPv4 `IP/netmask`
 * (`0.0.0.0/0` and `::/0` allow everyone). `what` names the flag in the error.
 */
export function parseSubnet (text: string, what: string): Subnet {
  const input = text.trim().toLowerCase()
  const slash = input.indexOf('/')
  const ip = slash < 0 ? input : input.slice(0, slash)
  const suffix = slash < 0 ? undefined : input.slice(slash + 1)
  const bytes = hostBytes(ip)
  if (bytes === undefined) throw new SubnetParseError(`${what}: "${text}" is not an IP address or subnet (expected IP, IP/prefix or IPv4 IP/netmask)`)
  const fullBits = bytes.length * 8
  let prefixBits = fullBits
  if (suffix !== undefined) {
    const bits = PREFIX_TEXT.test(suffix) ? Number(suffix) : bytes.length === 4 && isIPv4(suffix) ? netmaskBits(suffix) : undefined
    // An IPv4-mapped IPv6 subnet was written over 128 bits: the IPv4 part starts at bit 96.
    const offset = bytes.length === 4 && !isIPv4(ip) && PREFIX_TEXT.test(suffix) ? 96 : 0
    if (bits === undefined || bits - offset < 0 || bits - offset > fullBits) {
      throw new SubnetParseError(`${what}: "${text}" has a bad prefix "/${suffix}" (expected 0-${fullBits}${bytes.length === 4 ? ' or a netmask like 255.255.0.0' : ''})`)
    }
    prefixBits = bits - offset
  }
  const masked = maskBytes(bytes, prefixBits)
  return { bytes: masked, prefixBits, text: subnetKey(masked, prefixBits) }
}

/** The prefix length of a contiguous IPv4 netmask, or undefined for one with holes. */
function netmaskBits (mask: string): number | undefined {
  const value = mask.split('.').reduce((acc, part) => acc * 256 + Number(part), 0)
  for (let bits = 0; bits <= 32; bits++) {
    if (value === (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0)) return bits
  }
  return undefined
}

/** Whether the IP text (as a socket reports it) lies in the subnet; false for anything not an IP. */
export function subnetContains (subnet: Subnet, ip: string): boolean {
  const bytes = hostBytes(ip)
  if (bytes === undefined || bytes.length !== subnet.bytes.length) return false
  const masked = maskBytes(bytes, subnet.prefixBits)
  return masked.every((b, i) => b === subnet.bytes[i])
}

/** Loopback is always allowed (Core's rule): 127.0.0.0/8 and ::1, also IPv4-mapped. */
export const LOOPBACK_SUBNETS: readonly Subnet[] = [parseSubnet('127.0.0.0/8', 'loopback'), parseSubnet('::1', 'loopback')]

export function isLoopbackIp (ip: string): boolean {
  return LOOPBACK_SUBNETS.some((s) => subnetContains(s, ip))
}
