import { BIP155_ADDRESS_BYTES, BIP155_NETWORK, fromBip155, toBip155 } from '../netaddr/bip155.ts'
import { isIPText } from '../netaddr/ip-text.ts'
import { bytesToIp, ipToBytes, isIPv4Mapped, type NetAddress, type TimedAddress } from '../netaddr/netaddress.ts'
import type { ByteReader, ByteWriter } from './bytes.ts'
import { InvalidPayloadError, WireEncodeError } from './errors.ts'
import { MAX_ADDRV2_ADDRESS_BYTES, type VersionNetAddr } from './messages.ts'

/** The address encodings on the wire: `version`'s net_addr, `addr` (v1) entries and `addrv2` entries. */

/** Bytes of one `addr` entry: time 4 + services 8 + IPv6 16 + port 2. */
export const ADDR_V1_ENTRY_BYTES = 30
/** The fewest bytes an `addrv2` entry can take: time 4, services 1, network 1, length 1, port 2. */
export const ADDR_V2_MIN_ENTRY_BYTES = 9

const IPV4_MAPPED_PREFIX = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff)

function toIPv6Bytes (ip: Uint8Array): Uint8Array {
  if (ip.length === 16) return ip
  const out = new Uint8Array(16)
  out.set(IPV4_MAPPED_PREFIX)
  out.set(ip, 12)
  return out
}

function rawAddress (addr: NetAddress): { networkId: number, bytes: Uint8Array } {
  const raw = toBip155(addr)
  if (raw === undefined) throw new WireEncodeError(`${addr.network} address "${addr.host}" is not valid for its network`)
  return raw
}

/** `addr` v1 carries only 16-byte IPs: IPv4 (mapped), IPv6 and CJDNS; Tor v3 and I2P need `addrv2`. */
export function isAddrV1Compatible (addr: NetAddress): boolean {
  return addr.network === 'ipv4' || addr.network === 'ipv6' || addr.network === 'cjdns'
}

/**
 * `version`'s net_addr. A host that is not an IP literal (a peer reached over Tor, say) is sent as
 * `::`, as Bitcoin Core does for addresses v1 cannot carry.
 */
export function writeVersionNetAddr (w: ByteWriter, addr: VersionNetAddr): void {
  w.u64le(addr.services, 'services')
  w.bytes(!isIPText(addr.host) ? new Uint8Array(16) : toIPv6Bytes(ipToBytes(addr.host)))
  w.u16be(addr.port, 'port')
}

export function readVersionNetAddr (r: ByteReader, what: string): VersionNetAddr {
  const services = r.u64le(`${what} services`)
  const ip = r.bytes(16, `${what} IP`)
  const port = r.u16be(`${what} port`)
  return { services, host: bytesToIp(isIPv4Mapped(ip) ? ip.subarray(12) : ip), port }
}

/** One `addr` entry; undefined for 16 bytes that are no IPv4/IPv6/CJDNS peer (OnionCat Tor v2, say). */
export function readAddrV1Entry (r: ByteReader): TimedAddress | undefined {
  const time = r.u32le('addr time')
  const services = r.u64le('addr services')
  const ip = r.bytes(16, 'addr IP')
  const port = r.u16be('addr port')
  // The IPv4 text is built in place: a subarray view per entry is measurable in 1000-entry messages.
  const addr: NetAddress | undefined = isIPv4Mapped(ip)
    ? { network: 'ipv4', host: `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`, port }
    : fromBip155(BIP155_NETWORK.ipv6, ip, port)
  return addr === undefined ? undefined : { addr, services, time }
}

/** Writes one `addr` entry; the caller has filtered with isAddrV1Compatible. */
export function writeAddrV1Entry (w: ByteWriter, entry: TimedAddress): void {
  const raw = rawAddress(entry.addr)
  w.u32le(entry.time, 'addr time').u64le(entry.services, 'addr services').bytes(toIPv6Bytes(raw.bytes)).u16be(entry.addr.port, 'addr port')
}

/**
 * One `addrv2` entry. Unknown (or retired) network ids are skipped (undefined); a supported id with
 * the wrong address length, or any address over 512 bytes, is malformed.
 */
export function readAddrV2Entry (r: ByteReader): TimedAddress | undefined {
  const time = r.u32le('addrv2 time')
  const services = r.compactSize('addrv2 services')
  const networkId = r.u8('addrv2 network id')
  const bytes = r.varBytes(MAX_ADDRV2_ADDRESS_BYTES, 'addrv2 address')
  const port = r.u16be('addrv2 port')
  const expected = BIP155_ADDRESS_BYTES[networkId]
  if (expected !== undefined && bytes.length !== expected) {
    throw new InvalidPayloadError(`addrv2 address of network ${networkId} has ${bytes.length} bytes, expected ${expected}`)
  }
  const addr = fromBip155(networkId, bytes, port)
  return addr === undefined ? undefined : { addr, services, time }
}

export function writeAddrV2Entry (w: ByteWriter, entry: TimedAddress): void {
  const raw = rawAddress(entry.addr)
  w.u32le(entry.time, 'addrv2 time').compactSize(entry.services, 'addrv2 services').u8(raw.networkId)
  w.varBytes(raw.bytes).u16be(entry.addr.port, 'addrv2 port')
}
