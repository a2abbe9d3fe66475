import dns2, { type Resource } from 'dns2'
import { describe, expect, it } from 'vitest'
import { ADDRESS_RECORD_TYPE, decodeDnsAnswer } from '../../src/discovery/dns-answer.ts'
import { DnsAnswerFormatError } from '../../src/discovery/errors.ts'

const { Packet } = dns2

/** A response as a DNS server writes it (dns2's encoder, with name compression), for `name`. */
function response (name: string, records: Array<{ type: 'A' | 'AAAA' | 'CNAME', value: string }>, flags: { tc?: number, rcode?: number } = {}): Buffer {
  const p = new Packet()
  p.header.id = 0xbeef
  p.header.qr = 1
  p.header.tc = (flags.tc ?? 0) as 0 | 1
  p.header.rcode = flags.rcode ?? 0
  p.questions.push(new Packet.Question(name, Packet.TYPE.A, Packet.CLASS.IN))
  for (const r of records) {
    const base = { name, type: Packet.TYPE[r.type], class: Packet.CLASS.IN, ttl: 60 }
    p.answers.push((r.type === 'CNAME' ? { ...base, domain: r.value } : { ...base, address: r.value }) as Resource)
  }
  return p.toBuffer()
}

describe('decodeDnsAnswer', () => {
  it('reads the header, the question and the A/AAAA records a server writes, other records by type only', () => {
    const message = response('seed-7.bench', [
      { type: 'CNAME', value: 'other.bench' },
      { type: 'A', value: '127.3.0.1' },
      { type: 'AAAA', value: '2001:db8::1' }
    ], { tc: 1 })
    const answer = decodeDnsAnswer(message)
    expect(answer).toMatchObject({ id: 0xbeef, qr: 1, tc: 1, rcode: 0, question: { name: 'seed-7.bench', type: ADDRESS_RECORD_TYPE.A } })
    expect(answer.answers).toEqual([{ type: 5 }, { type: 1, address: '127.3.0.1' }, { type: 28, address: '2001:db8::1' }])
  })

  it('gives the same addresses as dns2 for a full seed answer, and the rcode of an error', () => {
    const hosts = Array.from({ length: 32 }, (_, i) => `127.${i}.0.1`)
    const message = response('seed-1.bench', hosts.map((value) => ({ type: 'A' as const, value })))
    expect(decodeDnsAnswer(message).answers.map((r) => r.address)).toEqual(Packet.parse(message).answers.map((r) => r.address))
    expect(decodeDnsAnswer(response('gone.bench', [], { rcode: 3 })).rcode).toBe(3)
  })

  it('refuses truncated messages, pointer loops, reserved label bytes and address records of the wrong length', () => {
    const good = response('seed-1.bench', [{ type: 'A', value: '127.0.0.1' }])
    const expectBroken = (message: Uint8Array, detail: RegExp): void => {
      expect(() => decodeDnsAnswer(message)).toThrow(DnsAnswerFormatError)
      expect(() => decodeDnsAnswer(message)).toThrow(detail)
    }
    expectBroken(good.subarray(0, 11), /less than a header/)
    for (let cut = 12; cut < good.length; cut++) expect(() => decodeDnsAnswer(good.subarray(0, cut))).toThrow(DnsAnswerFormatError)
    const loop = Buffer.from(good)
    loop[12] = 0xc0 // the question's name points at itself
    loop[13] = 12
    expectBroken(loop, /loop/)
    const reserved = Buffer.from(good)
    reserved[12] = 0x80
    expectBroken(reserved, /reserved length byte 0x80/)
    const short = Buffer.from(good)
    short.writeUInt16BE(3, short.length - 6) // the A record's RDLENGTH
    expectBroken(short.subarray(0, short.length - 1), /A record has 3 bytes of data, not 4/)
  })
})
