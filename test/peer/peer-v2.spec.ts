import { once } from 'node:events'
import type { Socket } from 'node:net'
import { beforeAll, afterEach, describe, expect, it } from 'vitest'
import { MAX_V2_CONTENTS_BYTES } from '../../src/bip324/session.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import type { PeerInit } from '../../src/peer/types.ts'
import { seededRandom } from '../../src/util/random.ts'
import { ManualPeer } from '../helpers/bip324.ts'
import { manualClock } from '../helpers/manual-clock.ts'
import { loggedEvents, REGTEST } from '../helpers/peer-fixture.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'
import { tcpPair } from '../helpers/tcp-pair.ts'
import { loadV2Transport } from '../../src/peer/transport.ts'

beforeAll(async () => { await loadV2Transport() })

// A Peer speaking BIP324 over real loopback TCP, against a hand-driven remote that breaks the transport.

const closers: Array<() => void> = []
afterEach(() => { for (const close of closers.splice(0)) close() })

async function v2Peer (init: Partial<PeerInit> = {}): Promise<{ peer: Peer, remote: Socket, logger: ReturnType<typeof recordingLogger>, clock: ReturnType<typeof manualClock>, received: () => Buffer }> {
  const pair = await tcpPair()
  closers.push(pair.close)
  const logger = recordingLogger()
  const clock = manualClock()
  const peer = new Peer(pair.server, { clock, random: seededRandom(3), logger, events: logger }, {
    id: 1, direction: 'inbound', addr: { network: 'ipv4', host: '127.0.0.1', port: pair.client.localPort ?? 1 }, params: REGTEST,
    nonces: new NonceRegistry(seededRandom(4)), transport: 'detect', ...init
  })
  const chunks: Buffer[] = []
  pair.client.on('data', (c: Buffer) => { chunks.push(c) })
  return { peer, remote: pair.client, logger, clock, received: () => Buffer.concat(chunks) }
}

/** Sends a v2 key, waits for the Peer's 64-byte key and returns the manual initiator keyed to it. */
async function keyExchange (remote: Socket, received: () => Buffer): Promise<{ manual: ManualPeer, terminator: Uint8Array }> {
  const manual = new ManualPeer(true, 'remote')
  remote.write(manual.ellswift)
  while (received().length < 64) await once(remote, 'data')
  return { manual, terminator: manual.handshake(received().subarray(0, 64)) }
}

async function closeReason (peer: Peer): Promise<string> {
  const [reason] = await once(peer, 'close') as [string]
  return reason
}

describe('Peer over BIP324', () => {
  it('disconnects, without a misbehaviour score, a peer whose garbage has no terminator within 4095 bytes', async () => {
    const { peer, remote, logger, received } = await v2Peer()
    const handshake = peer.handshake().catch((e: unknown) => e)
    await keyExchange(remote, received)
    const closed = closeReason(peer)
    remote.write(Buffer.alloc(4095 + 16, 0x55))
    expect(await closed).toMatch(/^transport error: MissingGarbageTerminatorError: no garbage terminator within 4095 bytes/)
    expect(await handshake).toMatchObject({ name: 'PeerClosedError' })
    expect(loggedEvents(logger, 'peer_disconnected')[0]?.reason).toContain('MissingGarbageTerminatorError')
    expect(loggedEvents(logger, 'peer_misbehaving')).toEqual([])
    expect(peer.banScore.int()).toBe(0)
  })

  it('disconnects a peer whose packet fails authentication', async () => {
    const { peer, remote, logger, received } = await v2Peer()
    void peer.handshake().catch(() => {})
    const { manual, terminator } = await keyExchange(remote, received)
    const version = Buffer.from(manual.packet(new Uint8Array(0)))
    version[version.length - 1] = (version[version.length - 1] ?? 0) ^ 1 // one bit of the tag
    const closed = closeReason(peer)
    remote.write(Buffer.concat([terminator, version]))
    expect(await closed).toMatch(/^transport error: PacketAuthenticationError: /)
    expect(loggedEvents(logger, 'peer_misbehaving')).toEqual([])
  })

  it('refuses an oversized packet from its 3-byte length, before buffering any of it', async () => {
    const { peer, remote, logger, received } = await v2Peer()
    void peer.handshake().catch(() => {})
    const { manual, terminator } = await keyExchange(remote, received)
    const huge = manual.packet(new Uint8Array(MAX_V2_CONTENTS_BYTES + 1))
    const closed = closeReason(peer)
    remote.write(Buffer.concat([terminator, huge.subarray(0, 3)]))
    expect(await closed).toMatch(/^transport error: OversizedPacketError: /)
    expect(loggedEvents(logger, 'peer_misbehaving')).toEqual([])
  })

  it('a stalled v2 handshake ends with the handshake timeout', async () => {
    const { peer, remote, logger, clock, received } = await v2Peer({ timeouts: { handshakeMs: 5_000 } })
    const handshake = peer.handshake().catch((e: unknown) => e)
    await keyExchange(remote, received) // then nothing more: no terminator, no version packet
    clock.advance(5_000)
    expect(await handshake).toMatchObject({ name: 'HandshakeTimeoutError' })
    expect(loggedEvents(logger, 'peer_disconnected')[0]?.reason).toBe('handshake not finished within 5000 ms')
  })

  it('an outbound v2 attempt that the remote closes unanswered may be retried with v1; one answered may not', async () => {
    const silent = await v2Peer({ direction: 'outbound', transport: 'v2' })
    const first = silent.peer.handshake().catch((e: unknown) => e)
    while (silent.received().length < 64) await once(silent.remote, 'data')
    silent.remote.destroy()
    expect(await first).toMatchObject({ name: 'PeerClosedError' })
    expect(silent.peer.shouldReconnectV1).toBe(true)

    const answered = await v2Peer({ direction: 'outbound', transport: 'v2' })
    const second = answered.peer.handshake().catch((e: unknown) => e)
    while (answered.received().length < 64) await once(answered.remote, 'data')
    answered.remote.end(Buffer.alloc(10, 1))
    expect(await second).toMatchObject({ name: 'PeerClosedError' })
    expect(answered.peer.shouldReconnectV1).toBe(false)
    // Our own timeout is not the peer closing on our key either.
    const timedOut = await v2Peer({ direction: 'outbound', transport: 'v2', timeouts: { handshakeMs: 1_000 } })
    const third = timedOut.peer.handshake().catch((e: unknown) => e)
    timedOut.clock.advance(1_000)
    expect(await third).toMatchObject({ name: 'HandshakeTimeoutError' })
    expect(timedOut.peer.shouldReconnectV1).toBe(false)
  })
})
