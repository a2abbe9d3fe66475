import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MessageDecoder } from '../../src/wire/decoder.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { ProtocolError, type ProtocolErrorKind } from '../../src/wire/errors.ts'
import { HEADER_BYTES, MAX_PROTOCOL_MESSAGE_BYTES } from '../../src/wire/messages.ts'
import { arbKnownMessage, chunked, MAINNET_MAGIC } from '../helpers/wire-arbitraries.ts'
import { frame } from '../helpers/wire-frames.ts'

/**
 * Seeded, bounded fuzzing of the decoder: whatever bytes arrive, in whatever chunks, push() never
 * throws, never holds more than a header plus the payload limit, and yields only messages or typed
 * ProtocolErrors — with a fatal error always last, after which the decoder stays closed.
 */

const FATAL: readonly ProtocolErrorKind[] = ['bad-magic', 'bad-command', 'oversized']
const SKIPPED: readonly ProtocolErrorKind[] = ['bad-checksum', 'malformed-payload']
const COMMANDS = ['version', 'verack', 'ping', 'pong', 'getaddr', 'addr', 'addrv2', 'sendaddrv2', 'wtxidrelay', 'sendheaders', 'sendcmpct', 'feefilter', 'inv', 'tx']

function checkStream (chunks: readonly Uint8Array[], maxPayloadBytes = MAX_PROTOCOL_MESSAGE_BYTES): void {
  const decoder = new MessageDecoder(MAINNET_MAGIC, { maxPayloadBytes })
  for (const chunk of chunks) {
    const wasClosed = decoder.closed
    const out = decoder.push(chunk)
    if (wasClosed) expect(out).toEqual([])
    out.forEach((item, i) => {
      if (item instanceof ProtocolError) {
        if (item.fatal) {
          expect(FATAL).toContain(item.kind)
          expect(i).toBe(out.length - 1)
          expect(decoder.closed).toBe(true)
        } else {
          expect(SKIPPED).toContain(item.kind)
        }
      } else {
        expect(typeof item.command).toBe('string')
        if ('unknown' in item) expect(item.payload).toBeInstanceOf(Uint8Array)
      }
    })
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(HEADER_BYTES + maxPayloadBytes)
  }
}

type Mutation = { kind: 'set', at: number, value: number } | { kind: 'delete', at: number } | { kind: 'insert', at: number, value: number } | { kind: 'truncate', at: number }
const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() })
)

function mutate (bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  const out = [...bytes]
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length
    if (m.kind === 'set') out[at] = m.value
    else if (m.kind === 'delete') out.splice(at, 1)
    else if (m.kind === 'insert') out.splice(at, 0, m.value)
    else out.length = at
  }
  return Uint8Array.from(out)
}

const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]))
const FUZZ = { seed: 0xf022, numRuns: 200 }

describe('decoder fuzz', () => {
  it('survives arbitrary bytes in arbitrary chunks', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => { checkStream(chunks) }), FUZZ)
  })

  it('survives frames with our magic and random commands, lengths, checksums and payloads', () => {
    const arbFrame = fc.record({
      command: fc.oneof(fc.constantFrom(...COMMANDS), fc.string({ unit: 'binary-ascii', maxLength: 12 })),
      payload: fc.uint8Array({ maxLength: 120 }),
      goodChecksum: fc.boolean(),
      lengthDelta: fc.oneof(fc.constant(0), fc.integer({ min: -4, max: 4 }), fc.nat())
    }).map(({ command, payload, goodChecksum, lengthDelta }) => frame(command, payload, {
      declaredLength: Math.max(0, payload.length + lengthDelta),
      ...(goodChecksum ? {} : { checksum: payload.subarray(0, 4) })
    }))
    fc.assert(fc.property(fc.array(arbFrame, { minLength: 1, maxLength: 6 }).chain((frames) => chunked(concat(frames))), (chunks) => {
      checkStream(chunks)
      checkStream(chunks, 64) // a small limit makes the "oversized" path common
    }), FUZZ)
  })

  it('survives valid streams with mutated bytes', () => {
    const arbStream = fc.tuple(fc.array(arbKnownMessage, { minLength: 1, maxLength: 5 }), fc.array(arbMutation, { minLength: 1, maxLength: 6 }))
      .map(([messages, mutations]) => mutate(concat(messages.map((m) => encodeMessage(MAINNET_MAGIC, m))), mutations))
    fc.assert(fc.property(arbStream.chain(chunked), (chunks) => { checkStream(chunks) }), FUZZ)
  })

  it('survives mutated payloads behind a correct checksum (reaching every payload decoder)', () => {
    const arbFrame = fc.tuple(arbKnownMessage, fc.array(arbMutation, { minLength: 1, maxLength: 4 })).map(([message, mutations]) => {
      const payload = encodeMessage(MAINNET_MAGIC, message).subarray(HEADER_BYTES)
      return frame(message.command, mutate(payload, mutations))
    })
    fc.assert(fc.property(fc.array(arbFrame, { minLength: 1, maxLength: 5 }).chain((frames) => chunked(concat(frames))), (chunks) => {
      checkStream(chunks)
    }), { ...FUZZ, numRuns: 300 })
  })
})
