import { describe, expect, it } from 'vitest'
import { V2Session, type V2Event } from '../../src/bip324/session.ts'
import type { KnownMessage } from '../../src/wire/messages.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { encodeContents } from '../../src/bip324/message-types.ts'
import { manualInitiator, REGTEST_MAGIC, seededRandom, sessionPair, startedResponder } from '../helpers/bip324.ts'

const ping = (n: number): KnownMessage => ({ command: 'ping', nonce: BigInt(n) })
const messages = (events: V2Event[]): unknown[] => events.flatMap((e) => e.kind === 'message' ? [e.message] : [])
const addrv2: KnownMessage = { command: 'addrv2', addrs: [{ addr: { network: 'ipv4', host: '10.1.2.3', port: 8333 }, services: 1033n, time: 1_700_000_000 }] }
const version: KnownMessage = {
  command: 'version', version: 70016, services: 1033n, timestamp: 1_700_000_000n, nonce: 42n, userAgent: '/peerkeeper:0.1.0/', startHeight: 0, relay: false,
  addrRecv: { services: 0n, host: '127.0.0.1', port: 18444 }, addrFrom: { services: 1033n, host: '0.0.0.0', port: 0 }
}

describe('V2Session between two in-memory endpoints', () => {
  it('completes the handshake: both ready with the same 32-byte session id', () => {
    const pair = sessionPair()
    expect(pair.initiatorEvents.map((e) => e.kind)).toEqual(['ready'])
    expect(pair.responderEvents.map((e) => e.kind)).toEqual(['ready'])
    const [a, b] = [pair.initiator.sessionId, pair.responder.sessionId]
    expect(a?.length).toBe(32)
    expect(Buffer.from(a ?? []).equals(Buffer.from(b ?? []))).toBe(true)
    expect(pair.initiator.state).toBe('app')
    expect(pair.responder.state).toBe('app')
    expect(pair.initiator.canSend && pair.responder.canSend).toBe(true)
    expect(pair.initiator.shouldReconnectV1).toBe(false)
  })

  it('carries messages both ways, short-id and 12-byte types alike', () => {
    const pair = sessionPair()
    const sent: KnownMessage[] = [version, { command: 'verack' }, ping(1), addrv2, { command: 'sendaddrv2' }, { command: 'pong', nonce: 7n }]
    for (const m of sent) pair.deliver('responder', pair.initiator.encode(m))
    for (const m of sent) pair.deliver('initiator', pair.responder.encode(m))
    expect(messages(pair.responderEvents)).toEqual(sent)
    expect(messages(pair.initiatorEvents)).toEqual(sent)
  })

  it('is 3 bytes smaller than v1 per short-id message and has no plaintext magic or command on the wire', () => {
    const pair = sessionPair()
    const packet = pair.initiator.encode(ping(5))
    expect(packet.length).toBe(encodeMessage(REGTEST_MAGIC, ping(5)).length - 3)
    const wire = Buffer.from(pair.initiator.encode(version))
    expect(wire.includes(Buffer.from('version'))).toBe(false)
    expect(wire.includes(Buffer.from(REGTEST_MAGIC))).toBe(false)
  })

  it('works when every byte arrives on its own (handshake, garbage, packets)', () => {
    const pair = sessionPair({ seed: 'bytewise', chunkBytes: 1, init: { garbageBytes: 300 } })
    expect(pair.responderEvents.map((e) => e.kind)).toEqual(['ready'])
    pair.deliver('responder', Buffer.concat([pair.initiator.encode(ping(1)), pair.initiator.encode(addrv2)]))
    expect(messages(pair.responderEvents)).toEqual([ping(1), addrv2])
    expect(pair.responder.bufferedBytes).toBe(0)
  })

  it('accepts the maximum 4095 bytes of garbage on both sides', () => {
    const pair = sessionPair({ init: { garbageBytes: 4095 } })
    expect(pair.responderEvents.map((e) => e.kind)).toEqual(['ready'])
    expect(pair.initiatorEvents.map((e) => e.kind)).toEqual(['ready'])
  })

  it('sends random garbage 0..4095 bytes long by default, so the first flight has no fixed size', () => {
    const lengths = new Set<number>()
    for (let i = 0; i < 8; i++) lengths.add(new V2Session({ magic: REGTEST_MAGIC, role: 'initiator', random: seededRandom(`g${i}`) }).start().length)
    expect(lengths.size).toBeGreaterThan(4)
    for (const n of lengths) expect(n).toBeGreaterThanOrEqual(64)
    for (const n of lengths) expect(n).toBeLessThanOrEqual(64 + 4095)
  })

  it('rekeys both ciphers every 224 packets and keeps in step past several rekeys, in both directions', () => {
    const pair = sessionPair()
    const sent = Array.from({ length: 3 * 224 + 5 }, (_, i) => ping(i))
    // Delivered in one batch and packet by packet, across the rekey boundaries.
    pair.deliver('responder', Buffer.concat(sent.map((m) => pair.initiator.encode(m))))
    for (const m of sent) pair.deliver('initiator', pair.responder.encode(m))
    expect(messages(pair.responderEvents)).toEqual(sent)
    expect(messages(pair.initiatorEvents)).toEqual(sent)
  })

  it('ignores decoy packets, including one sent first that carries the garbage as AAD', () => {
    const responder = startedResponder('r')
    const garbage = Buffer.from('some garbage')
    const { peer, terminator } = manualInitiator(responder, garbage)
    const events = responder.push(Buffer.concat([
      terminator,
      peer.packet(new Uint8Array(10), { aad: garbage, ignore: true }),
      peer.packet(new Uint8Array(0)), // version packet
      peer.packet(new Uint8Array(100), { ignore: true }),
      peer.packet(encodeContents('ping', Buffer.from('0100000000000000', 'hex'))),
      peer.packet(new Uint8Array(0), { ignore: true })
    ]))
    expect(events.filter((e) => e.kind !== 'send')).toEqual([{ kind: 'ready', sessionId: responder.sessionId }, { kind: 'message', message: ping(1), contentsBytes: 9 }])
  })

  it('lets the sender add decoys that the other V2Session drops', () => {
    const pair = sessionPair()
    pair.deliver('responder', Buffer.concat([pair.initiator.encodeDecoy(50), pair.initiator.encode(ping(2)), pair.initiator.encodeDecoy(0)]))
    expect(messages(pair.responderEvents)).toEqual([ping(2)])
    expect(pair.responderEvents.map((e) => e.kind)).toEqual(['ready', 'message'])
  })

  it('reports packets with an unassigned short id or a malformed 12-byte type and carries on', () => {
    const responder = startedResponder('r2')
    const { peer, terminator } = manualInitiator(responder, undefined, 'manual2')
    const badLong = new Uint8Array(13)
    badLong.set(Buffer.from('pi\x01g'), 1)
    const events = responder.push(Buffer.concat([
      terminator, peer.packet(new Uint8Array(0)),
      peer.packet(Uint8Array.of(29, 1, 2)), peer.packet(Uint8Array.of(255)), peer.packet(new Uint8Array(0)), peer.packet(badLong), peer.packet(Uint8Array.of(0, 1)),
      peer.packet(encodeContents('pong', Buffer.from('0900000000000000', 'hex')))
    ])).filter((e) => e.kind !== 'send')
    expect(events.map((e) => e.kind)).toEqual(['ready', 'unknown-type', 'unknown-type', 'unknown-type', 'unknown-type', 'unknown-type', 'message'])
    expect(events[1]).toEqual({ kind: 'unknown-type', contentsBytes: 3 })
    expect(events[6]).toEqual({ kind: 'message', message: { command: 'pong', nonce: 9n }, contentsBytes: 9 })
  })

  it('hands an unknown 12-byte command through as an unknown message, like the v1 decoder', () => {
    const responder = startedResponder('r3')
    const { peer, terminator } = manualInitiator(responder, undefined, 'manual3')
    const events = responder.push(Buffer.concat([terminator, peer.packet(new Uint8Array(0)), peer.packet(encodeContents('getcfilters', Uint8Array.of(1, 2, 3)))]))
    expect(events.at(-1)).toEqual({ kind: 'message', message: { command: 'getcfilters', unknown: true, payload: Uint8Array.of(1, 2, 3) }, contentsBytes: 4 })
  })

  it('reports a malformed payload as the same non-fatal ProtocolError the v1 decoder gives', () => {
    const responder = startedResponder('r4')
    const { peer, terminator } = manualInitiator(responder, undefined, 'manual4')
    const events = responder.push(Buffer.concat([terminator, peer.packet(new Uint8Array(0)), peer.packet(Uint8Array.of(18, 1, 2))]))
    const last = events.at(-1)
    expect(last?.kind).toBe('message')
    if (last?.kind === 'message') expect(last.message).toMatchObject({ name: 'ProtocolError', kind: 'malformed-payload', command: 'ping', fatal: false })
    expect(responder.state).toBe('app')
  })
})
