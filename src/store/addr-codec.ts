import { parseAddrRecord } from '../addrbook/record.ts'
import type { AddrRecord } from '../addrbook/record.ts'
import { StoreCorruptError } from './errors.ts'

/**
 * Address records are stored as JSON arrays in a fixed field order, not as objects: a third of the
 * bytes, so reading 80,000 of them at start costs much less. The LevelDB key is the record's key.
 * The order is part of the schema (SCHEMA_VERSION).
 */
type StoredRecord = [
  network: string, host: string, port: number, services: string,
  source: [network: string, host: string, port: number] | null,
  time: number, attempts: number, lastAttempt: number, lastCountAttempt: number, lastSuccess: number,
  tried: boolean, newRefs: readonly number[], triedPos: number | null
]

const FIELDS = 13

export function encodeAddrRecord (r: AddrRecord): StoredRecord {
  const source = r.source === null ? null : [r.source.network, r.source.host, r.source.port] as [string, string, number]
  return [r.addr.network, r.addr.host, r.addr.port, r.services, source, r.time, r.attempts, r.lastAttempt,
    r.lastCountAttempt, r.lastSuccess, r.tried, r.newRefs, r.triedPos]
}

/** Rebuilds the record stored under `key` and checks it with the address book's own parser. */
export function decodeAddrRecord (key: string, value: unknown, where: string): AddrRecord {
  if (!Array.isArray(value) || value.length !== FIELDS) throw new StoreCorruptError(`${where}: expected an array of ${FIELDS} fields`)
  const [network, host, port, services, source, time, attempts, lastAttempt, lastCountAttempt, lastSuccess, tried, newRefs, triedPos] = value as unknown[]
  const candidate = {
    key,
    addr: { network, host, port },
    services,
    source: Array.isArray(source) ? { network: source[0], host: source[1], port: source[2] } : source,
    time,
    attempts,
    lastAttempt,
    lastCountAttempt,
    lastSuccess,
    tried,
    newRefs,
    triedPos
  }
  try {
    return parseAddrRecord(candidate, where)
  } catch (err) {
    throw new StoreCorruptError((err as Error).message)
  }
}

