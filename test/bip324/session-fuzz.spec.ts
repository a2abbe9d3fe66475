import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ellswiftCreate } from '../../src/bip324/ellswift.ts'
import { V2TransportError } from '../../src/bip324/errors.ts'
import { deriveSessionKeys, v2Ecdh } from '../../src/bip324/keys.ts'
import { MAX_GARBAGE_BYTES, MAX_V2_CONTENTS_BYTES, V2Session, type V2Role, type V2SessionInit } from '../../src/bip324/session.ts'
import { PACKET_EXPANSION_BYTES } from '../../src/bip324/packet-cipher.ts'
import { ProtocolError } from '../../src/wire/errors.ts'
import type { KnownMessage } from '../../src/wire/messages.ts'
import { arbKnownMessage, chunked } from '../helpers/wire-arbitraries.ts'
import { REGTEST_MAGIC, seededRandom } from '../helpers/bip324.ts'

/**
 * Seeded, bounded fuzzing of the v2 receive path (as test/wire/decoder-fuzz.spec.ts does for v1):
 * whatever bytes arrive, in whatever chunks, push() never throws, never holds more than the limits,
 * yields an error or a v1 hand-over only as its last event, and stays quiet afterwards.
 */

const FUZZ = { seed: 0xb324, numRuns: 150 }
const RESPONDER_KEYS = ellswiftCreate(seededRandom('fuzz responder'))
const INITIATOR_KEYS = ellswiftCreate(seededRandom('fuzz initiator'))
const RESPONDER_GARBAGE = Buffer.from('responder garbage')
const INITIATOR_TERMINATOR = deriveSessionKeys(v2Ecdh(INITIATOR_KEYS.privateKey, RESPONDER_KEYS.ellswift, INITIATOR_KEYS.ellswift, true), REGTEST_MAGIC, true).sendGarbageTerminator

function session (role: V2Role, init: V2SessionInit = {}): V2Session {
  const s = new V2Session({ magic: REGTEST_MAGIC, role, random: seededRandom(`fuzz ${role}`) }, { keyPair: role === 'initiator' ? INITIATOR_KEYS : RESPONDER_KEYS, ...init })
  s.start()
  return s
}

/** Feeds chunks and checks the invariants; returns the non-'send' events. */
function checkStream (s: V2Session, chunks: readonly Uint8Array[], maxContentsBytes = MAX_V2_CONTENTS_BYTES): Array<{ kind: string, message?: unknown }> {
  const bound = Math.max(64, MAX_GARBAGE_BYTES + 16, PACKET_EXPANSION_BYTES + maxContentsBytes)
  const seen: Array<{ kind: string, message?: unknown }> = []
  for (const chunk of chunks) {
    const finished = s.state === 'closed' || s.state === 'v1'
    const out = s.push(chunk)
    if (finished) expect(out).toEqual([])
    out.forEach((event, i) => {
      if (event.kind === 'error') {
        expect(event.error).toBeInstanceOf(V2TransportError)
        expect(i).toBe(out.length - 1)
        expect(s.state).toBe('closed')
      } else if (event.kind === 'v1') {
        expect(i).toBe(out.length - 1)
        expect(s.state).toBe('v1')
      } else if (event.kind === 'message') {
        if (event.message instanceof ProtocolError) expect(event.message.fatal).toBe(false)
        else expect(typeof event.message.command).toBe('string')
      }
      if (event.kind !== 'send') seen.push(event)
    })
    expect(s.bufferedBytes).toBeLessThanOrEqual(bound)
  }
  return seen
}

/** What a real initiator sends a responder holding RESPONDER_KEYS: key, garbage, terminator, version packet, messages. */
function initiatorStream (messages: readonly KnownMessage[], garbageBytes: number, decoys: boolean): Uint8Array {
  const opening = new V2Session({ magic: REGTEST_MAGIC, role: 'initiator', random: seededRandom('stream') }, { keyPair: INITIATOR_KEYS, garbageBytes })
  const out: Uint8Array[] = [opening.start()]
  for (const e of opening.push(Buffer.concat([RESPONDER_KEYS.ellswift, RESPONDER_GARBAGE]))) if (e.kind === 'send') out.push(e.bytes)
  for (const m of messages) {
    if (decoys) out.push(opening.encodeDecoy(m.command.length))
    out.push(opening.encode(m))
  }
  return Buffer.concat(out)
}

describe('v2 session fuzz', () => {
  it('survives arbitrary bytes in arbitrary chunks, as responder and as initiator', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 10 }), fc.boolean(), (chunks, asResponder) => {
      checkStream(session(asResponder ? 'responder' : 'initiator'), chunks)
    }), FUZZ)
  })

  it('survives a valid key followed by random garbage, the real terminator or not, and random packet bytes (small contents limit too)', () => {
    const arbTail = fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.array(fc.uint8Array({ maxLength: 1500 }), { maxLength: 6 }))
    fc.assert(fc.property(arbTail, fc.boolean(), ([garbage, terminated, packets], small) => {
      const max = small ? 64 : MAX_V2_CONTENTS_BYTES
      const s = session('responder', { garbage: RESPONDER_GARBAGE, maxContentsBytes: max })
      const terminator = terminated ? [INITIATOR_TERMINATOR] : []
      checkStream(s, [INITIATOR_KEYS.ellswift, garbage, ...terminator, ...packets], max)
    }), { ...FUZZ, numRuns: 100 })
  })

  it('decodes a valid stream in any chunking to exactly its messages, decoys dropped', () => {
    const arbCase = fc.tuple(fc.array(arbKnownMessage, { minLength: 1, maxLength: 5 }), fc.nat({ max: MAX_GARBAGE_BYTES }), fc.boolean())
      .chain(([messages, garbageBytes, decoys]) => chunked(initiatorStream(messages, garbageBytes, decoys)).map((chunks) => ({ messages, chunks })))
    fc.assert(fc.property(arbCase, ({ messages, chunks }) => {
      const events = checkStream(session('responder', { garbage: RESPONDER_GARBAGE }), chunks)
      expect(events.map((e) => e.kind)).toEqual(['ready', ...messages.map(() => 'message')])
      expect(events.slice(1).map((e) => e.message)).toEqual(messages)
    }), { ...FUZZ, numRuns: 60 })
  })

  it('survives valid streams with bytes flipped, dropped or cut short', () => {
    const arbCase = fc.tuple(fc.array(arbKnownMessage, { minLength: 1, maxLength: 3 }), fc.nat({ max: 300 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.boolean()), { minLength: 1, maxLength: 4 }))
      .map(([messages, garbageBytes, edits]) => {
        const bytes = [...initiatorStream(messages, garbageBytes, false)]
        for (const [at, value, drop] of edits) {
          const i = at % bytes.length
          if (drop) bytes.splice(i, 1)
          else bytes[i] = value
        }
        return Uint8Array.from(bytes)
      })
    fc.assert(fc.property(arbCase.chain(chunked), (chunks) => {
      checkStream(session('responder', { garbage: RESPONDER_GARBAGE }), chunks)
    }), { ...FUZZ, numRuns: 60 })
  })
})
