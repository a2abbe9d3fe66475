import { addrKey } from '../../src/netaddr/netaddress.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import type { AddrRecord } from '../../src/addrbook/record.ts'

/** The n-th of a run of distinct IPv4 addresses 10.a.b.c:8333 (n < 2^24). */
export function nthAddress (n: number): NetAddress {
  return { network: 'ipv4', host: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, port: 8333 }
}

/**
 * A well-formed AddrRecord for the n-th address, as the address book would persist it; `time` can tag
 * the record (the crash test stores its batch number there).
 */
export function addrRecordFor (n: number, time = 1_700_000_000): AddrRecord {
  const addr = nthAddress(n)
  return {
    key: addrKey(addr),
    addr,
    services: '1033',
    source: null,
    time,
    attempts: n % 3,
    lastAttempt: 0,
    lastCountAttempt: 0,
    lastSuccess: 0,
    tried: false,
    newRefs: [n % (1024 * 64)],
    triedPos: null
  }
}
