import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MessageDecoder } from '../../src/wire/decoder.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { ProtocolError } from '../../src/wire/errors.ts'
import type { KnownMessage, Message } from '../../src/wire/messages.ts'
import { arbKnownMessage, MAINNET_MAGIC } from '../helpers/wire-arbitraries.ts'
import { frame, unhex } from '../helpers/wire-frames.ts'

const PING: KnownMessage = { command: 'ping', nonce: 42n }
const VERACK: KnownMessage = { command: 'verack' }
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]))

function pushAll (decoder: MessageDecoder, chunks: Uint8Array[]): Array<Message | ProtocolError> {
  return chunks.flatMap((chunk) => decoder.push(chunk))
}

function onlyError (out: Array<Message | ProtocolError>): ProtocolError {
  expect(out).toHaveLength(1)
  expect(out[0]).toBeInstanceOf(ProtocolError)
  return out[0] as ProtocolError
}

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function split (bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point))
    start = point
  }
  return chunks
}

describe('MessageDecoder chunking', () => {
  it('decodes many messages from one chunk, and the same stream one byte at a time', () => {
    const stream = concat(...[VERACK, PING, { command: 'pong', nonce: 7n }, VERACK].map((m) => encodeMessage(MAINNET_MAGIC, m as KnownMessage)))
    const whole = new MessageDecoder(MAINNET_MAGIC).push(stream)
    expect(whole.map((m) => m.command)).toEqual(['verack', 'ping', 'pong', 'verack'])
    const bytewise = new MessageDecoder(MAINNET_MAGIC)
    const out = pushAll(bytewise, [...stream].map((b) => Uint8Array.of(b)))
    expect(out).toEqual(whole)
    expect(bytewise.bufferedBytes).toBe(0)
  })

  it('gives the same messages for every way of cutting the stream (property)', () => {
    fc.assert(fc.property(fc.array(arbKnownMessage, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (messages, cuts) => {
      const stream = concat(...messages.map((m) => encodeMessage(MAINNET_MAGIC, m)))
      const out = pushAll(new MessageDecoder(MAINNET_MAGIC), split(stream, cuts))
      expect(out).toEqual(messages)
    }), { seed: 0xc0ffee, numRuns: 100 })
  })

  it('reports bytes held for an incomplete frame, and allocates nothing for a payload not yet sent', () => {
    const bytes = encodeMessage(MAINNET_MAGIC, PING)
    const decoder = new MessageDecoder(MAINNET_MAGIC)
    expect(decoder.push(bytes.subarray(0, 10))).toEqual([])
    expect(decoder.bufferedBytes).toBe(10)
    expect(decoder.push(bytes.subarray(10, 24))).toEqual([])
    expect(decoder.bufferedBytes).toBe(0) // header parsed; no payload byte yet
    expect(decoder.push(bytes.subarray(24, 30))).toEqual([])
    expect(decoder.bufferedBytes).toBe(6)
    expect(decoder.push(bytes.subarray(30))).toEqual([PING])
    expect(decoder.bufferedBytes).toBe(0)
  })

  it('does not alias the caller\'s chunk in an unknown message\'s payload', () => {
    const chunk = frame('inv', Uint8Array.of(1, 2, 3))
    const [message] = new MessageDecoder(MAINNET_MAGIC).push(chunk)
    chunk.fill(0)
    expect(message).toEqual({ command: 'inv', unknown: true, payload: Uint8Array.of(1, 2, 3) })
  })
})

describe('MessageDecoder errors', () => {
  it('closes on a wrong network magic (fatal) and ignores everything after', () => {
    const decoder = new MessageDecoder(MAINNET_MAGIC)
    const error = onlyError(decoder.push(frame('verack', new Uint8Array(0), { magic: Uint8Array.of(0x0b, 0x11, 0x09, 0x07) })))
    expect(error).toMatchObject({ kind: 'bad-magic', fatal: true })
    expect(error.message).toMatch(/0b110907 is not ours \(f9beb4d9\)/)
    expect(decoder.closed).toBe(true)
    expect(decoder.push(encodeMessage(MAINNET_MAGIC, VERACK))).toEqual([])
  })

  it.each([
    ['a control character', 'ver\x01ack'],
    ['text after the NUL padding', 'ver\x00ack'],
    ['a byte above 0x7e', 'verack\x80']
  ])('closes on a command with %s (fatal bad-command)', (_name, command) => {
    const decoder = new MessageDecoder(MAINNET_MAGIC)
    expect(onlyError(decoder.push(frame(command, new Uint8Array(0))))).toMatchObject({ kind: 'bad-command', fatal: true })
    expect(decoder.closed).toBe(true)
  })

  it('refuses a declared payload over 4,000,000 bytes from the header alone, buffering nothing', () => {
    const decoder = new MessageDecoder(MAINNET_MAGIC)
    const header = frame('block', new Uint8Array(0), { declaredLength: 4_000_001 })
    const error = onlyError(decoder.push(header))
    expect(error).toMatchObject({ kind: 'oversized', fatal: true, command: 'block' })
    expect(error.message).toBe('block declares a 4000001-byte payload, more than 4000000')
    expect(decoder.bufferedBytes).toBe(0)
    expect(decoder.push(new Uint8Array(1000))).toEqual([])
  })

  it('accepts a payload of exactly the limit (a smaller limit through init)', () => {
    const decoder = new MessageDecoder(MAINNET_MAGIC, { maxPayloadBytes: 8 })
    expect(decoder.push(encodeMessage(MAINNET_MAGIC, PING))).toEqual([PING])
    expect(onlyError(decoder.push(frame('inv', new Uint8Array(9))))).toMatchObject({ kind: 'oversized' })
  })

  it('skips a message whose checksum does not match and decodes the next one', () => {
    const decoder = new MessageDecoder(MAINNET_MAGIC)
    const bad = frame('ping', new Uint8Array(8), { checksum: Uint8Array.of(1, 2, 3, 4) })
    const out = decoder.push(concat(bad, encodeMessage(MAINNET_MAGIC, PING)))
    expect(out[0]).toMatchObject({ kind: 'bad-checksum', fatal: false, command: 'ping' })
    expect(out[1]).toEqual(PING)
    expect(decoder.closed).toBe(false)
  })

  it.each([
    ['a truncated ping', 'ping', '0102030405', /ping nonce needs 8 bytes/],
    ['a user agent over 256 bytes', 'version', `${'00'.repeat(80)} fd0101 ${'41'.repeat(257)} 00000000`, /user agent is 257 bytes, more than 256/],
    ['a non-canonical CompactSize', 'addr', 'fd0100', /not canonically encoded/],
    ['a count larger than the bytes left', 'addr', 'fde803', /needs at least 30000 bytes but only 0 remain/],
    ['an addrv2 IPv4 address of 5 bytes', 'addrv2', '01 00000000 00 01 05 0102030405 208d', /network 1 has 5 bytes, expected 4/],
    ['an addrv2 address over 512 bytes', 'addrv2', `01 00000000 00 07 fd0102 ${'00'.repeat(513)} 208d`, /addrv2 address is 513 bytes, more than 512/],
    ['a truncated sendcmpct', 'sendcmpct', '01 02000000', /sendcmpct version needs 8 bytes/]
  ])('reports %s as malformed-payload and keeps going', (_name, command, payloadHex, message) => {
    const decoder = new MessageDecoder(MAINNET_MAGIC)
    const out = decoder.push(concat(frame(command, unhex(payloadHex)), encodeMessage(MAINNET_MAGIC, VERACK)))
    expect(out[0]).toMatchObject({ kind: 'malformed-payload', fatal: false, command })
    expect((out[0] as ProtocolError).message).toMatch(message)
    expect(out[1]).toEqual(VERACK)
  })

  it.each(['addr', 'addrv2'])('reports %s with more than 1000 entries as too-many-entries naming the limit', (command) => {
    const entryBytes = command === 'addr' ? 30 : 9
    const payload = concat(unhex('fde903'), new Uint8Array(1001 * entryBytes)) // 1001 entries of zeros
    const error = onlyError(new MessageDecoder(MAINNET_MAGIC).push(frame(command, payload)))
    expect(error).toMatchObject({ kind: 'too-many-entries', command, fatal: false })
    expect(error.message).toBe(`${command} payload: ${command} entry count 1001 is more than 1000`)
  })

  it('ignores bytes after the last field (Bitcoin Core does the same, for forward compatibility)', () => {
    const out = new MessageDecoder(MAINNET_MAGIC).push(frame('ping', unhex('2a00000000000000 ffff')))
    expect(out).toEqual([PING])
  })

  it('drops addr v1 entries that are no IPv4/IPv6 peer (OnionCat Tor v2) and keeps the rest', () => {
    const onionCat = '00000000 0100000000000000 fd87d87eeb43000000000000000000ff 208d'
    const ipv4 = '01000000 0100000000000000 00000000000000000000ffff01020304 208d'
    const out = new MessageDecoder(MAINNET_MAGIC).push(frame('addr', unhex(`02 ${onionCat} ${ipv4}`)))
    expect(out).toEqual([{ command: 'addr', addrs: [{ addr: { network: 'ipv4', host: '1.2.3.4', port: 8333 }, services: 1n, time: 1 }] }])
  })

  it('passes unknown commands through, including names of Object.prototype members', () => {
    const out = new MessageDecoder(MAINNET_MAGIC).push(concat(frame('headers', Uint8Array.of(0)), frame('constructor', new Uint8Array(0))))
    expect(out).toEqual([
      { command: 'headers', unknown: true, payload: Uint8Array.of(0) },
      { command: 'constructor', unknown: true, payload: new Uint8Array(0) }
    ])
  })

  it('refuses a magic that is not 4 bytes and a negative limit', () => {
    expect(() => new MessageDecoder(new Uint8Array(3))).toThrow(/4 bytes, got 3/)
    expect(() => new MessageDecoder(MAINNET_MAGIC, { maxPayloadBytes: -1 })).toThrow(/non-negative integer/)
  })
})
