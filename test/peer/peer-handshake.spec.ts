import { once } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { HandshakeTimeoutError, PeerClosedError, PeerConfigError, PeerRefusedError } from '../../src/peer/errors.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import type { PeerState } from '../../src/peer/types.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { ProtocolError } from '../../src/wire/errors.ts'
import type { VersionMessage } from '../../src/wire/messages.ts'
import { NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_WITNESS } from '../../src/wire/services.ts'
import { completeHandshake, loggedEvents, peerWithScriptedRemote, REGTEST, remoteVersion, useFakeClock, type PeerFixture } from '../helpers/peer-fixture.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'
import { tcpPair } from '../helpers/tcp-pair.ts'
import { isCommand } from '../helpers/wire-client.ts'

const commands = (f: PeerFixture): string[] => f.remote.received.map((m) => m instanceof ProtocolError ? `error:${m.kind}` : m.command)

describe('Peer handshake', () => {
  const fixtures: PeerFixture[] = []
  const fixture = async (...args: Parameters<typeof peerWithScriptedRemote>): Promise<PeerFixture> => {
    const f = await peerWithScriptedRemote(...args)
    fixtures.push(f)
    return f
  }
  beforeEach(() => { useFakeClock() })
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.close()
    vi.useRealTimers()
  })

  it('outbound: sends our version first, then wtxidrelay and sendaddrv2 before verack', async () => {
    const f = await fixture({ services: 0n, userAgent: '/peerkeeper:0.1.0/', startHeight: 7 })
    const states: PeerState[] = [f.peer.state]
    const done = f.peer.handshake()
    states.push(f.peer.state)
    const ours = await f.remote.next<VersionMessage>(isCommand('version'))
    expect(ours).toMatchObject({ version: 70016, services: 0n, userAgent: '/peerkeeper:0.1.0/', startHeight: 7, relay: false })
    expect(f.nonces.has(ours.nonce)).toBe(true)
    expect(ours.timestamp).toBe(BigInt(Math.floor(Date.now() / 1000)))
    f.remote.send(remoteVersion())
    f.remote.send({ command: 'sendaddrv2' })
    await f.remote.next(isCommand('verack'))
    states.push(f.peer.state)
    expect(commands(f)).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'verack'])
    f.remote.send({ command: 'verack' })
    const info = await done
    states.push(f.peer.state)
    expect(states).toEqual(['connecting', 'awaiting-version', 'awaiting-verack', 'established'])
    expect(info).toMatchObject({ direction: 'outbound', version: 70016, userAgent: '/scripted:1.0/', startHeight: 800_000, addrV2: true, wtxidRelay: false, timeOffsetSeconds: 0 })
    expect(loggedEvents(f.logger, 'peer_handshake')).toHaveLength(1)
  })

  it('inbound: waits for their version, then answers version, wtxidrelay, sendaddrv2, verack', async () => {
    const f = await fixture({ direction: 'inbound' })
    const done = f.peer.handshake()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.remote.received).toEqual([])
    f.remote.send(remoteVersion({ services: 0n })) // inbound peers need offer no services
    f.remote.send({ command: 'wtxidrelay' })
    await f.remote.next(isCommand('verack'))
    expect(commands(f)).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'verack'])
    f.remote.send({ command: 'verack' })
    const info = await done
    expect(info).toMatchObject({ direction: 'inbound', services: 0n, wtxidRelay: true, addrV2: false })
    expect(f.peer.state).toBe('established')
  })

  it('accepts verack before version (either order)', async () => {
    const f = await fixture()
    const done = f.peer.handshake()
    await f.remote.next(isCommand('version'))
    f.remote.send({ command: 'verack' })
    f.remote.send(remoteVersion())
    const info = await done
    expect(info.version).toBe(70016)
    expect(f.peer.banScore.int()).toBe(0)
  })

  it('does not send wtxidrelay or sendaddrv2 to a peer below 70016', async () => {
    const f = await fixture()
    const info = await completeHandshake(f, remoteVersion({ version: 70015 }))
    expect(info.version).toBe(70015)
    await f.remote.next(isCommand('ping'))
    expect(commands(f).slice(0, 2)).toEqual(['version', 'verack'])
  })

  const refusals: Array<[string, Partial<VersionMessage>, string, 'outbound' | 'inbound']> = [
    ['a protocol version below 70001', { version: 60002 }, 'old-version', 'outbound'],
    ['an outbound peer without NODE_NETWORK or NODE_NETWORK_LIMITED', { services: NODE_WITNESS }, 'missing-services', 'outbound']
  ]
  for (const [what, version, reason, direction] of refusals) {
    it(`refuses ${what}: disconnect, logged reason, no ban score`, async () => {
      const f = await fixture({ direction })
      const closed = once(f.peer, 'close')
      const misbehaving = vi.fn()
      f.peer.on('misbehaving', misbehaving)
      const done = f.peer.handshake()
      if (direction === 'outbound') await f.remote.next(isCommand('version'))
      f.remote.send(remoteVersion(version))
      await expect(done).rejects.toSatisfy((e: unknown) => e instanceof PeerRefusedError && e.reason === reason)
      const [closeReason] = await closed
      expect(closeReason).toMatch(/^refused: /)
      await f.remote.closed
      expect(f.peer.state).toBe('closed')
      expect(misbehaving).not.toHaveBeenCalled()
      expect(f.peer.banScore.int()).toBe(0)
      expect(loggedEvents(f.logger, 'peer_refused')).toMatchObject([{ reason }])
    })
  }

  it('accepts NODE_NETWORK_LIMITED alone, and honours a configured requirement', async () => {
    const limited = await fixture()
    expect((await completeHandshake(limited, remoteVersion({ services: NODE_NETWORK_LIMITED }))).services).toBe(NODE_NETWORK_LIMITED)
    const strict = await fixture({ requiredServices: NODE_NETWORK | NODE_WITNESS })
    await expect(completeHandshake(strict, remoteVersion({ services: NODE_NETWORK }))).rejects.toThrow(/services 0x1 lack 0x9/)
  })

  it('detects a connection to ourselves through the shared nonce registry', async () => {
    const pair = await tcpPair()
    const nonces = new NonceRegistry(seededRandom(3))
    const make = (socket: typeof pair.client, direction: 'outbound' | 'inbound'): Peer => new Peer(socket, { clock: systemClock, random: seededRandom(4), logger: recordingLogger() }, {
      id: direction === 'outbound' ? 1 : 2, direction, addr: { network: 'ipv4', host: '127.0.0.1', port: 18444 }, params: REGTEST, nonces
    })
    const outbound = make(pair.client, 'outbound')
    const inbound = make(pair.server, 'inbound')
    const results = await Promise.allSettled([outbound.handshake(), inbound.handshake()])
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { name: 'PeerRefusedError', reason: 'self-connection' } })
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { name: 'PeerClosedError' } })
    pair.close()
  })

  it('disconnects on wrong network magic without a ban', async () => {
    const f = await fixture({ direction: 'inbound' })
    const done = f.peer.handshake()
    f.remote.sendRaw(encodeMessage(Uint8Array.from([0xf9, 0xbe, 0xb4, 0xd9]), remoteVersion()))
    await expect(done).rejects.toSatisfy((e: unknown) => e instanceof PeerRefusedError && e.reason === 'bad-magic')
    await f.remote.closed
    expect(f.peer.banScore.int()).toBe(0)
  })

  it('times out a handshake that does not finish (configurable, on the injected clock)', async () => {
    const f = await fixture({ timeouts: { handshakeMs: 5_000 } })
    const done = f.peer.handshake()
    const outcome = done.catch((e: unknown) => e)
    await f.remote.next(isCommand('version'))
    f.remote.send(remoteVersion()) // but never a verack
    await f.remote.next(isCommand('verack'))
    await vi.advanceTimersByTimeAsync(4_999)
    expect(f.peer.state).toBe('awaiting-verack')
    await vi.advanceTimersByTimeAsync(1)
    expect(await outcome).toBeInstanceOf(HandshakeTimeoutError)
    await f.remote.closed
    expect(f.peer.banScore.int()).toBe(0)
  })

  it('defaults to a 20 s handshake timeout', async () => {
    const f = await fixture()
    const outcome = f.peer.handshake().catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(19_999)
    expect(f.peer.state).toBe('awaiting-version')
    await vi.advanceTimersByTimeAsync(1)
    expect(await outcome).toBeInstanceOf(HandshakeTimeoutError)
  })

  it('rejects with PeerClosedError when the remote hangs up mid-handshake, and after close()', async () => {
    const f = await fixture()
    const done = f.peer.handshake()
    await f.remote.next(isCommand('version'))
    f.remote.close()
    await expect(done).rejects.toBeInstanceOf(PeerClosedError)
    const g = await fixture()
    g.peer.close('not wanted')
    await expect(g.peer.handshake()).rejects.toBeInstanceOf(PeerClosedError)
  })

  it('names the bad field of a configuration', async () => {
    await expect(fixture({ timeouts: { pingIntervalMs: 0 } })).rejects.toThrow(PeerConfigError)
    await expect(fixture({ banThreshold: -1 })).rejects.toThrow('peer: banThreshold must be a positive number, got -1')
  })
})
