import { bytesToIp } from '../netaddr/netaddress.ts'
import { DnsAnswerFormatError } from './errors.ts'

/**
 * A DNS response read only as far as a seed query needs (RFC 1035 §4.1): the header, the first question
 * and the answer records' types, with A and AAAA data as addresses. Hand-written because dns2's general
 * parser reads bit by bit and cost 0.2–1.5 ms per seed answer in a fresh process, on the first start's
 * hot path (32 seeds answer while the first handshakes run). Every read is bounds-checked; a malformed
 * message (an A or AAAA record of the wrong length included) throws DnsAnswerFormatError saying what.
 */

const HEADER_BYTES = 12
/** Record type codes (RFC 1035, RFC 3596) of the address records a seed query asks for. */
export const ADDRESS_RECORD_TYPE = { A: 1, AAAA: 28 } as const
/** RFC 1035 §2.3.4: a name is at most 255 bytes on the wire. */
const MAX_NAME_BYTES = 255
/** Compression pointers followed per name: more than a name could need means a loop. */
const MAX_POINTERS = 64

export interface AnswerRecord {
  readonly type: number
  /** Set for A (dotted) and AAAA (RFC 5952) records. */
  readonly address?: string
}

export interface DnsAnswer {
  readonly id: number
  readonly qr: 0 | 1
  readonly tc: 0 | 1
  readonly rcode: number
  readonly question: { readonly name: string, readonly type: number } | undefined
  readonly answers: readonly AnswerRecord[]
}

class Reader {
  readonly #bytes: Uint8Array
  offset = 0

  constructor (bytes: Uint8Array) {
    this.#bytes = bytes
  }

  #need (n: number, at = this.offset): void {
    if (at + n > this.#bytes.length) throw new DnsAnswerFormatError(`the message ends at byte ${this.#bytes.length}, inside a field at ${at}`)
  }

  u8 (at = this.offset): number {
    this.#need(1, at)
    return this.#bytes[at] as number
  }

  u16 (): number {
    this.#need(2)
    const value = ((this.#bytes[this.offset] as number) << 8) | (this.#bytes[this.offset + 1] as number)
    this.offset += 2
    return value
  }

  bytes (n: number): Uint8Array {
    this.#need(n)
    const out = this.#bytes.subarray(this.offset, this.offset + n)
    this.offset += n
    return out
  }

  /** A domain name, following compression pointers; the reader moves past its in-place part. */
  name (): string {
    const labels: string[] = []
    let at = this.offset
    let wire = 0
    let jumps = 0
    let end: number | undefined
    for (;;) {
      const len = this.u8(at)
      if (len === 0) { at += 1; break }
      if ((len & 0xc0) === 0xc0) {
        if (++jumps > MAX_POINTERS) throw new DnsAnswerFormatError('a name\'s compression pointers loop')
        const target = ((len & 0x3f) << 8) | this.u8(at + 1)
        end ??= at + 2
        at = target
        continue
      }
      if ((len & 0xc0) !== 0) throw new DnsAnswerFormatError(`a label has the reserved length byte 0x${len.toString(16)}`)
      wire += len + 1
      if (wire > MAX_NAME_BYTES) throw new DnsAnswerFormatError(`a name is longer than ${MAX_NAME_BYTES} bytes`)
      this.#need(len, at + 1)
      labels.push(String.fromCharCode(...this.#bytes.subarray(at + 1, at + 1 + len)))
      at += 1 + len
    }
    this.offset = end ?? at
    return labels.join('.')
  }
}

export function decodeDnsAnswer (message: Uint8Array): DnsAnswer {
  if (message.length < HEADER_BYTES) throw new DnsAnswerFormatError(`the message has ${message.length} bytes, less than a header`)
  const reader = new Reader(message)
  const id = reader.u16()
  const flags = reader.u16()
  const qdcount = reader.u16()
  const ancount = reader.u16()
  reader.offset = HEADER_BYTES
  let question: DnsAnswer['question']
  for (let i = 0; i < qdcount; i++) {
    const name = reader.name()
    const type = reader.u16()
    reader.u16() // class
    question ??= { name, type }
  }
  const answers: AnswerRecord[] = []
  for (let i = 0; i < ancount; i++) {
    reader.name()
    const type = reader.u16()
    reader.u16() // class
    reader.u16() // TTL, high half
    reader.u16() // TTL, low half
    const data = reader.bytes(reader.u16())
    const size = type === ADDRESS_RECORD_TYPE.A ? 4 : type === ADDRESS_RECORD_TYPE.AAAA ? 16 : undefined
    if (size === undefined) {
      answers.push({ type })
      continue
    }
    if (data.length !== size) throw new DnsAnswerFormatError(`an ${type === ADDRESS_RECORD_TYPE.A ? 'A' : 'AAAA'} record has ${data.length} bytes of data, not ${size}`)
    answers.push({ type, address: bytesToIp(data) })
  }
  return { id, qr: (flags >> 15) as 0 | 1, tc: ((flags >> 9) & 1) as 0 | 1, rcode: flags & 0xf, question, answers }
}
