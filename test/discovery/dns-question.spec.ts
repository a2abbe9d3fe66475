import dns2 from 'dns2'
import { describe, expect, it } from 'vitest'
import { encodeDnsQuery } from '../../src/discovery/dns-question.ts'
import { DnsNameFormatError } from '../../src/discovery/errors.ts'

const { Packet } = dns2

/** The query dns2 writes for the same question (what the seeder sent before it wrote its own). */
function dns2Query (id: number, name: string, type: 'A' | 'AAAA', udpPayloadBytes: number): Buffer {
  const query = new Packet()
  query.header.id = id
  query.header.rd = 1
  query.questions.push(new Packet.Question(name, Packet.TYPE[type], Packet.CLASS.IN))
  query.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: udpPayloadBytes }))
  return query.toBuffer()
}

describe('encodeDnsQuery', () => {
  it('writes a recursive query with one question and an EDNS record, as dns2 decodes it', () => {
    const decoded = Packet.parse(encodeDnsQuery(0xbeef, 'seed.bitcoin.example', 'AAAA', 1232))
    expect(decoded.header).toMatchObject({ id: 0xbeef, qr: 0, opcode: 0, rd: 1, tc: 0, qdcount: 1, ancount: 0, nscount: 0, arcount: 1 })
    expect(decoded.questions).toEqual([{ name: 'seed.bitcoin.example', type: Packet.TYPE.AAAA, class: Packet.CLASS.IN }])
    expect(decoded.additionals).toMatchObject([{ name: '', type: 41, class: 1232, ttl: 0 }])
    expect(decoded.errors).toEqual([])
  })

  it('writes the same bytes as dns2 for names of every shape DNS allows', () => {
    const longest = Array.from({ length: 4 }, (_, i) => String(i).repeat(i === 3 ? 61 : 63)).join('.') // 255 bytes on the wire
    for (const [id, name, type] of [[0, 'a', 'A'], [1, 'x.test', 'AAAA'], [0xffff, 'dnsseed.example.org.', 'A'], [7, longest, 'A'], [8, 'MiXeD-Case_1.Example', 'AAAA']] as const) {
      expect(encodeDnsQuery(id, name, type, 1232).toString('hex'), name).toBe(dns2Query(id, name.replace(/\.$/, ''), type, 1232).toString('hex'))
    }
  })

  it('refuses a name DNS cannot carry, naming it and what is wrong', () => {
    const cases: Array<[string, string]> = [
      ['a..b', 'it has an empty label'],
      ['.a', 'it has an empty label'],
      [`${'x'.repeat(64)}.test`, 'a label is longer than 63 bytes'],
      [Array.from({ length: 5 }, () => 'y'.repeat(63)).join('.'), 'it is longer than 255 bytes'],
      ['bücher.example', 'expected ASCII letters, digits and dots (an IDN in its xn-- form)'],
      ['with space.example', 'expected ASCII letters, digits and dots (an IDN in its xn-- form)']
    ]
    for (const [name, detail] of cases) {
      expect(() => encodeDnsQuery(1, name, 'A', 1232), name).toThrow(DnsNameFormatError)
      expect(() => encodeDnsQuery(1, name, 'A', 1232), name).toThrow(`"${name}" is not a DNS name: ${detail}`)
    }
  })
})
