import { AddrBook } from '../../src/addrbook/addr-book.ts'
import type { AddrBookInit } from '../../src/addrbook/addr-book.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { Logger } from '../../src/log/logger.ts'
import { seededRandom } from '../../src/util/random.ts'
import type { Random } from '../../src/util/random.ts'
import type { NetAddress, TimedAddress } from '../../src/netaddr/netaddress.ts'
import { manualClock } from './manual-clock.ts'

export const BOOK_START_MS = 1_700_000_000_000
export const BOOK_START_S = BOOK_START_MS / 1000
const FIXED_KEY = new Uint8Array(32).fill(7)

/** An address book on a manual clock and a seeded Random (fixed key unless init says otherwise). */
export function bookFixture (init: Partial<AddrBookInit> = {}, seed = 1, logger: Logger = nullLogger): { book: AddrBook, clock: ReturnType<typeof manualClock>, random: Random } {
  const clock = manualClock(BOOK_START_MS)
  const random = seededRandom(seed)
  const book = new AddrBook({ clock, random, logger }, { allowLocal: false, key: FIXED_KEY, ...init })
  return { book, clock, random }
}

export function ipv4 (host: string, port = 8333): NetAddress {
  return { network: 'ipv4', host, port }
}

/** A gossiped entry for `addr`, seen `ageS` seconds before the fixture's start. */
export function timed (addr: NetAddress, ageS = 3600, services = 1n): TimedAddress {
  return { addr, services, time: BOOK_START_S - ageS }
}

/** `n` distinct routable IPv4 addresses (first octet 1-200, never a reserved range) drawn from `random`. */
export function routableAddresses (random: Random, n: number, prefix?: string): NetAddress[] {
  const seen = new Set<string>()
  const out: NetAddress[] = []
  while (out.length < n) {
    const host = prefix !== undefined
      ? `${prefix}.${random.int(256)}.${random.int(256)}`
      : `${1 + random.int(9)}.${random.int(256)}.${random.int(256)}.${random.int(256)}`
    if (seen.has(host)) continue
    seen.add(host)
    out.push(ipv4(host))
  }
  return out
}
