import { describe, expect, it } from 'vitest'
import { MissingGarbageTerminatorError, OversizedPacketError, PacketAuthenticationError, V2UsageError, WrongNetworkError } from '../../src/bip324/errors.ts'
import { MAX_V2_CONTENTS_BYTES, V2Session, type V2Event } from '../../src/bip324/session.ts'
import { v1Prefix } from '../../src/bip324/detect.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { MAINNET_MAGIC, manualInitiator, REGTEST_MAGIC, seededRandom, sessionPair, startedResponder } from '../helpers/bip324.ts'

function lastError (events: V2Event[]): Error | undefined {
  const last = events.at(-1)
  return last?.kind === 'error' ? last.error : undefined
}

describe('V2Session errors', () => {
  it('fails with MissingGarbageTerminatorError when 4095 bytes of garbage and 16 more hold no terminator', () => {
    const session = startedResponder()
    const { terminator } = manualInitiator(session)
    const garbage = new Uint8Array(4095 + 15).fill(7)
    expect(session.push(garbage)).toEqual([])
    expect(session.bufferedBytes).toBe(4110)
    const events = session.push(Uint8Array.of(7, 7, 7))
    expect(lastError(events)).toBeInstanceOf(MissingGarbageTerminatorError)
    expect(lastError(events)?.name).toBe('MissingGarbageTerminatorError')
    expect(session.state).toBe('closed')
    expect(session.bufferedBytes).toBe(0)
    expect(session.push(terminator)).toEqual([])
  })

  it('accepts a terminator that ends exactly at the 4111-byte limit', () => {
    const session = startedResponder()
    const { peer, terminator } = manualInitiator(session)
    const garbage = new Uint8Array(4095).fill(9)
    const events = session.push(Buffer.concat([garbage, terminator, peer.packet(new Uint8Array(0), { aad: garbage })]))
    expect(events.map((e) => e.kind)).toEqual(['ready'])
  })

  it('fails with PacketAuthenticationError for a tampered packet', () => {
    const pair = sessionPair()
    const packet = Buffer.from(pair.initiator.encode({ command: 'ping', nonce: 1n }))
    packet.writeUInt8((packet.at(-1) as number) ^ 1, packet.length - 1)
    const events = pair.responder.push(packet)
    expect(events.map((e) => e.kind)).toEqual(['error'])
    expect(lastError(events)).toBeInstanceOf(PacketAuthenticationError)
    expect(pair.responder.canSend).toBe(false)
    expect(() => pair.responder.encode({ command: 'verack' })).toThrow(V2UsageError)
  })

  it('fails with PacketAuthenticationError when the first packet does not authenticate the garbage', () => {
    const session = startedResponder()
    const { peer, terminator } = manualInitiator(session, Buffer.from('real garbage'))
    const events = session.push(Buffer.concat([terminator, peer.packet(new Uint8Array(0), { aad: Buffer.from('other garbage') })]))
    expect(lastError(events)).toBeInstanceOf(PacketAuthenticationError)
  })

  it('never gets past the version packet between different networks (the magic salts the keys)', () => {
    const pair = sessionPair({ magic: REGTEST_MAGIC, responderMagic: MAINNET_MAGIC })
    // Different terminators: each side waits in its garbage state for one that never comes.
    expect(pair.initiator.state).toBe('garbage')
    expect(pair.responder.state).toBe('garbage')
    expect(pair.initiatorEvents).toEqual([])
  })

  it('fails with OversizedPacketError from the length alone, before buffering the packet', () => {
    const session = startedResponder('big')
    const { peer, terminator } = manualInitiator(session)
    const versionPacket = peer.packet(new Uint8Array(0))
    const oversized = peer.packet(new Uint8Array(MAX_V2_CONTENTS_BYTES + 1))
    const events = session.push(Buffer.concat([terminator, versionPacket, oversized.subarray(0, 4)]))
    expect(events.map((e) => e.kind)).toEqual(['ready', 'error'])
    expect(lastError(events)).toBeInstanceOf(OversizedPacketError)
    expect(session.bufferedBytes).toBe(0)
  })

  it('accepts a packet of exactly the maximum contents (a 4 MB payload with a 12-byte type)', () => {
    const session = startedResponder('max')
    const { peer, terminator } = manualInitiator(session)
    const contents = new Uint8Array(MAX_V2_CONTENTS_BYTES)
    contents.set(Buffer.from('bigthing'), 1)
    const events = session.push(Buffer.concat([terminator, peer.packet(new Uint8Array(0)), peer.packet(contents)]))
    expect(events.map((e) => e.kind)).toEqual(['ready', 'message'])
  })

  it('honours a smaller maxContentsBytes', () => {
    const session = startedResponder('small', { maxContentsBytes: 10 })
    const { peer, terminator } = manualInitiator(session)
    const events = session.push(Buffer.concat([terminator, peer.packet(new Uint8Array(0)), peer.packet(new Uint8Array(11))]))
    expect(lastError(events)).toBeInstanceOf(OversizedPacketError)
  })

  it('grows a split packet buffer with the bytes that arrived, not the announced length', () => {
    const session = startedResponder('grow')
    const { peer, terminator } = manualInitiator(session)
    session.push(Buffer.concat([terminator, peer.packet(new Uint8Array(0))]))
    const packet = peer.packet(new Uint8Array(3_000_000))
    session.push(packet.subarray(0, 10))
    expect(session.bufferedBytes).toBe(7)
    expect(session.push(packet.subarray(10)).map((e) => e.kind)).toEqual(['message'])
  })

  it('fails with WrongNetworkError for a v1 version header under another network magic', () => {
    const session = startedResponder()
    const foreign = encodeMessage(MAINNET_MAGIC, { command: 'verack' })
    foreign.set(Buffer.from('version\0\0\0\0\0'), 4)
    const events = session.push(foreign)
    expect(events.map((e) => e.kind)).toEqual(['send', 'error'])
    expect(lastError(events)).toBeInstanceOf(WrongNetworkError)
    expect(lastError(events)?.message).toContain('f9beb4d9')
  })

  it('hands a v1 peer (our magic + version) over with every byte received so far', () => {
    const session = startedResponder()
    const v1 = encodeMessage(REGTEST_MAGIC, { command: 'verack' })
    v1.set(v1Prefix(REGTEST_MAGIC))
    expect(session.push(v1.subarray(0, 15))).toEqual([])
    expect(session.state).toBe('maybe-v1')
    const events = session.push(v1.subarray(15))
    expect(events).toEqual([{ kind: 'v1', bytes: Buffer.from(v1) }])
    expect(session.state).toBe('v1')
    expect(session.push(Uint8Array.of(1, 2, 3))).toEqual([])
    expect(session.canSend).toBe(false)
  })

  it('answers a v2 key as soon as one byte differs from the v1 prefix', () => {
    const session = startedResponder()
    const events = session.push(Uint8Array.of(REGTEST_MAGIC[0] as number, 0))
    expect(events.map((e) => e.kind)).toEqual(['send'])
    expect(session.state).toBe('key')
  })

  it('says an initiator may retry v1 only while nothing has come back', () => {
    const session = new V2Session({ magic: REGTEST_MAGIC, role: 'initiator', random: seededRandom('i') })
    expect(session.shouldReconnectV1).toBe(false)
    session.start()
    expect(session.shouldReconnectV1).toBe(true)
    session.push(Uint8Array.of(1))
    expect(session.shouldReconnectV1).toBe(false)
    expect(new V2Session({ magic: REGTEST_MAGIC, role: 'responder' }).shouldReconnectV1).toBe(false)
  })

  it('throws V2UsageError for caller mistakes', () => {
    const initiator = new V2Session({ magic: REGTEST_MAGIC, role: 'initiator', random: seededRandom('u') })
    expect(() => initiator.push(Uint8Array.of(1))).toThrow(V2UsageError)
    expect(() => initiator.encode({ command: 'verack' })).toThrow(/before the peer's key/)
    initiator.start()
    expect(() => initiator.start()).toThrow(V2UsageError)
    expect(() => initiator.encodeDecoy(1)).toThrow(V2UsageError)
    expect(() => new V2Session({ magic: Uint8Array.of(1, 2, 3), role: 'initiator' })).toThrow(/magic must be 4 bytes/)
    expect(() => new V2Session({ magic: REGTEST_MAGIC, role: 'initiator' }, { garbageBytes: 4096 })).toThrow(/garbage must be 0..4095/)
    expect(() => new V2Session({ magic: REGTEST_MAGIC, role: 'initiator' }, { garbage: new Uint8Array(5000) })).toThrow(V2UsageError)
    expect(() => new V2Session({ magic: REGTEST_MAGIC, role: 'initiator' }, { maxContentsBytes: -1 })).toThrow(/maxContentsBytes/)
  })
})
