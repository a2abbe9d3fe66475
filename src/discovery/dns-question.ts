import { ADDRESS_RECORD_TYPE } from './dns-answer.ts'
import { DnsNameFormatError } from './errors.ts'

/**
 * A seed query's message (RFC 1035 §4.1, with an EDNS OPT record, RFC 6891). Written here, with
 * dns-answer.ts and dns-tcp.ts, so that seeding does not load dns2: its index pulls in TLS, HTTPS and
 * HTTP/2 (DNS over HTTPS) for every process that resolves a name.
 */

const HEADER_BYTES = 12
/** Header flags with RD set: the server should resolve recursively, as the C library's stub asks. */
const FLAGS_RECURSION_DESIRED = 0x0100
const CLASS_IN = 1
const TYPE_OPT = 41
/** RFC 1035 §2.3.4: a label is at most 63 bytes and a name at most 255 on the wire. */
const MAX_LABEL_BYTES = 63
const MAX_NAME_BYTES = 255
/** The OPT record: root name (1), type (2), UDP payload size in the class field (2), TTL (4), data length (2). */
const OPT_RECORD_BYTES = 11

/** The labels of `name` as wire bytes (a trailing dot allowed); a name DNS cannot carry throws DnsNameFormatError. */
function nameLabels (name: string): Buffer[] {
  const text = name.endsWith('.') ? name.slice(0, -1) : name
  if (text === '') return []
  if (!/^[\x21-\x7e]+$/.test(text)) throw new DnsNameFormatError(name, 'expected ASCII letters, digits and dots (an IDN in its xn-- form)')
  const labels = text.split('.').map((label) => Buffer.from(label, 'ascii'))
  if (labels.some((label) => label.length === 0)) throw new DnsNameFormatError(name, 'it has an empty label')
  if (labels.some((label) => label.length > MAX_LABEL_BYTES)) throw new DnsNameFormatError(name, `a label is longer than ${MAX_LABEL_BYTES} bytes`)
  if (labels.reduce((sum, label) => sum + 1 + label.length, 1) > MAX_NAME_BYTES) throw new DnsNameFormatError(name, `it is longer than ${MAX_NAME_BYTES} bytes`)
  return labels
}

/** A recursive query for the `type` records of `name`, advertising `udpPayloadBytes` through EDNS. */
export function encodeDnsQuery (id: number, name: string, type: keyof typeof ADDRESS_RECORD_TYPE, udpPayloadBytes: number): Buffer {
  const labels = nameLabels(name)
  const nameBytes = labels.reduce((sum, label) => sum + 1 + label.length, 1)
  const message = Buffer.alloc(HEADER_BYTES + nameBytes + 4 + OPT_RECORD_BYTES)
  message.writeUInt16BE(id, 0)
  message.writeUInt16BE(FLAGS_RECURSION_DESIRED, 2)
  message.writeUInt16BE(1, 4) // one question
  message.writeUInt16BE(1, 10) // one additional record: the OPT
  let at = HEADER_BYTES
  for (const label of labels) {
    message[at] = label.length
    label.copy(message, at + 1)
    at += 1 + label.length
  }
  at += 1 // the root label
  message.writeUInt16BE(ADDRESS_RECORD_TYPE[type], at)
  message.writeUInt16BE(CLASS_IN, at + 2)
  at += 4 + 1 // the OPT record's root name
  message.writeUInt16BE(TYPE_OPT, at)
  message.writeUInt16BE(udpPayloadBytes, at + 2)
  return message // TTL (extended rcode, version, flags) and data length stay 0
}
