import { parseBanTarget } from '../banlist/ban-target.ts'
import type { BanEntry } from '../banlist/ban-list.ts'
import { addrKey, isValidPort, parseHostPort, toNetAddress } from '../netaddr/netaddress.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import { StoreCorruptError } from './errors.ts'

/** Checkers for the values NodeStore reads back; each throws StoreCorruptError naming where the value was. */

const KEY_HEX = /^[0-9a-f]{64}$/ // the address book's 256-bit secret key

export function encodeBookKey (key: Uint8Array): string {
  return Buffer.from(key).toString('hex')
}

export function decodeBookKey (value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !KEY_HEX.test(value)) throw new StoreCorruptError(`${where}: expected 64 hex digits`)
  return Uint8Array.from(Buffer.from(value, 'hex'))
}

export function decodeBanEntry (value: unknown, key: string, where: string): BanEntry {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  const shapeOk = typeof o.target === 'string' && typeof o.reason === 'string' &&
    Number.isFinite(o.createdMs) && Number.isFinite(o.expiresMs)
  if (!shapeOk) throw new StoreCorruptError(`${where}: expected {target, reason, createdMs, expiresMs}`)
  let canonical: string
  try {
    canonical = parseBanTarget(o.target as string).key
  } catch (err) {
    throw new StoreCorruptError(`${where}: ${(err as Error).message}`)
  }
  if (canonical !== key || o.target !== key) throw new StoreCorruptError(`${where}: target "${String(o.target)}" does not match its key`)
  return { target: key, reason: o.reason as string, createdMs: o.createdMs as number, expiresMs: o.expiresMs as number }
}

/** Anchors are kept as address keys (`1.2.3.4:8333`, `[2001:db8::1]:8333`). */
export function encodeAnchors (addrs: readonly NetAddress[]): string[] {
  return addrs.map(addrKey)
}

export function decodeAnchors (value: unknown, where: string): NetAddress[] {
  if (!Array.isArray(value)) throw new StoreCorruptError(`${where}: expected an array of addresses`)
  return value.map((text: unknown) => {
    const fail = (): never => { throw new StoreCorruptError(`${where}: ${JSON.stringify(text)} is not an address with a port`) }
    if (typeof text !== 'string') return fail()
    let addr: NetAddress | undefined
    try {
      const hp = parseHostPort(text, 0)
      addr = isValidPort(hp.port) ? toNetAddress(hp.host, hp.port) : undefined
    } catch {
      return fail()
    }
    return addr ?? fail()
  })
}
