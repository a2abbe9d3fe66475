import { describe, expect, it } from 'vitest'
import { decodeContents, encodeContents, SHORT_MESSAGE_TYPES } from '../../src/bip324/message-types.ts'
import { detectTransport, v1Prefix } from '../../src/bip324/detect.ts'
import { REGTEST_MAGIC } from '../helpers/bip324.ts'

describe('v2 message types', () => {
  it('has the BIP324 table: 28 short ids, addr = 1 … addrv2 = 28', () => {
    expect(SHORT_MESSAGE_TYPES.length).toBe(29)
    expect(SHORT_MESSAGE_TYPES.indexOf('addr')).toBe(1)
    expect(SHORT_MESSAGE_TYPES.indexOf('ping')).toBe(18)
    expect(SHORT_MESSAGE_TYPES.indexOf('pong')).toBe(19)
    expect(SHORT_MESSAGE_TYPES.indexOf('inv')).toBe(14)
    expect(SHORT_MESSAGE_TYPES.indexOf('cfcheckpt')).toBe(27)
    expect(SHORT_MESSAGE_TYPES.indexOf('addrv2')).toBe(28)
  })

  it('encodes every short-id type in one byte and reads it back', () => {
    SHORT_MESSAGE_TYPES.forEach((command, id) => {
      if (id === 0) return
      const contents = encodeContents(command, Uint8Array.of(9, 8))
      expect([...contents]).toEqual([id, 9, 8])
      expect(decodeContents(contents)).toEqual({ command, payload: Uint8Array.of(9, 8) })
    })
  })

  it('encodes other types as 0 + the 12-byte NUL-padded command, and accepts a long form of a short-id type', () => {
    const contents = encodeContents('version', Uint8Array.of(1))
    expect([...contents]).toEqual([0, ...Buffer.from('version\0\0\0\0\0'), 1])
    expect(decodeContents(contents)).toEqual({ command: 'version', payload: Uint8Array.of(1) })
    expect(decodeContents(Uint8Array.from([0, ...Buffer.from('ping\0\0\0\0\0\0\0\0'), 5]))).toEqual({ command: 'ping', payload: Uint8Array.of(5) })
  })

  it('refuses empty contents, unassigned ids, short long forms and non-ASCII or gapped commands', () => {
    expect(decodeContents(new Uint8Array(0))).toBeUndefined()
    expect(decodeContents(Uint8Array.of(29))).toBeUndefined()
    expect(decodeContents(Uint8Array.of(255, 1))).toBeUndefined()
    expect(decodeContents(Uint8Array.of(0, 0x70, 0x69))).toBeUndefined()
    expect(decodeContents(Uint8Array.from([0, ...Buffer.from('pi\0g\0\0\0\0\0\0\0\0')]))).toBeUndefined()
    expect(decodeContents(Uint8Array.from([0, 0x80, ...new Uint8Array(11)]))).toBeUndefined()
  })
})

describe('detectTransport', () => {
  const prefix = v1Prefix(REGTEST_MAGIC)
  it('needs more bytes while all received match the v1 prefix', () => {
    expect(detectTransport(new Uint8Array(0), REGTEST_MAGIC)).toBe('need-more')
    for (let n = 1; n < 16; n++) expect(detectTransport(prefix.subarray(0, n), REGTEST_MAGIC)).toBe('need-more')
  })

  it('says v1 once the magic and "version" command (16 bytes) match, whatever follows', () => {
    expect(detectTransport(prefix, REGTEST_MAGIC)).toBe('v1')
    expect(detectTransport(Buffer.concat([prefix, Uint8Array.of(1, 2)]), REGTEST_MAGIC)).toBe('v1')
  })

  it('says v2 at the first differing byte', () => {
    for (let i = 0; i < 16; i++) {
      const bytes = prefix.slice(0, i + 1)
      bytes[i] = (bytes[i] as number) ^ 0x01
      expect(detectTransport(bytes, REGTEST_MAGIC)).toBe('v2')
    }
    expect(detectTransport(Buffer.concat([REGTEST_MAGIC, Buffer.from('verack')]), REGTEST_MAGIC)).toBe('v2')
  })
})
