import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ByteReader, ByteWriter } from '../../src/wire/bytes.ts'
import { InvalidPayloadError, ReadPastEndError, WireEncodeError } from '../../src/wire/errors.ts'
import { hex, unhex } from '../helpers/wire-frames.ts'

describe('CompactSize', () => {
  it.each([
    [0n, '00'], [0xfcn, 'fc'], [0xfdn, 'fdfd00'], [0xffffn, 'fdffff'], [0x1_0000n, 'fe00000100'],
    [0xffff_ffffn, 'feffffffff'], [0x1_0000_0000n, 'ff0000000001000000'], [(1n << 64n) - 1n, 'ffffffffffffffffff']
  ])('writes %s as %s and reads it back', (value, encoded) => {
    expect(hex(new ByteWriter().compactSize(value).finish())).toBe(encoded)
    const reader = new ByteReader(unhex(encoded))
    expect(reader.compactSize()).toBe(value)
    expect(reader.remaining).toBe(0)
  })

  it.each(['fdfc00', 'feffff0000', 'ffffffffff00000000'])('refuses the non-canonical %s', (encoded) => {
    expect(() => new ByteReader(unhex(encoded)).compactSize()).toThrow(InvalidPayloadError)
  })

  it('round-trips any u64 (property)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (value) => {
      expect(new ByteReader(new ByteWriter().compactSize(value).finish()).compactSize()).toBe(value)
    }), { seed: 7, numRuns: 300 })
  })
})

describe('ByteReader bounds', () => {
  it('throws ReadPastEndError naming the field when a read runs past the end', () => {
    expect(() => new ByteReader(Uint8Array.of(1, 2, 3)).u32le('time')).toThrow(new ReadPastEndError('time needs 4 bytes at offset 0 but only 3 remain'))
    expect(() => new ByteReader(unhex('05 0102')).varBytes(10, 'name')).toThrow(ReadPastEndError)
  })

  it('checks a count against its limit and then against the bytes left, before any allocation', () => {
    expect(() => new ByteReader(unhex('ffffffffffffffff7f')).count(1, 1000, 'n')).toThrow(/n 9223372036854775807 is more than 1000/)
    expect(() => new ByteReader(unhex('0a 00000000')).count(1, 1000, 'n')).toThrow(/n 10 needs at least 10 bytes but only 4 remain/)
    const reader = new ByteReader(unhex('02 aabb'))
    expect(reader.count(1, 1000)).toBe(2)
    expect(reader.remaining).toBe(2)
  })

  it('refuses a var string over its byte limit before reading it', () => {
    expect(() => new ByteReader(unhex('03 616263')).varString(2, 'user agent')).toThrow(new InvalidPayloadError('user agent is 3 bytes, more than 2'))
  })
})

describe('ByteWriter', () => {
  it('grows past its initial size without losing bytes', () => {
    const w = new ByteWriter(8)
    for (let i = 0; i < 100; i++) w.u8(i).bytes(Uint8Array.of(i, i))
    const out = w.finish()
    expect(out).toHaveLength(300)
    expect([...out.subarray(297)]).toEqual([99, 99, 99])
  })

  it('refuses values outside their field type', () => {
    expect(() => new ByteWriter().u16be(65536, 'port')).toThrow(new WireEncodeError('port must be an integer in 0..65535, got 65536'))
    expect(() => new ByteWriter().i32le(1.5)).toThrow(WireEncodeError)
    expect(() => new ByteWriter().i64le(1n << 63n)).toThrow(WireEncodeError)
    expect(() => new ByteWriter().compactSize(-1)).toThrow(WireEncodeError)
  })
})
