import { createServer, type Socket } from 'node:net'
import { vi } from 'vitest'
import { loadNetwork } from '../../src/chainparams/chainparams.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import type { HandshakeInfo, PeerComponents, PeerInit } from '../../src/peer/types.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import type { VersionMessage } from '../../src/wire/messages.ts'
import { NODE_NETWORK, NODE_WITNESS } from '../../src/wire/services.ts'
import type { LogFields } from '../../src/log/logger.ts'
import { recordingLogger } from './recording-logger.ts'
import { connectWireClient, isCommand, type WireClient } from './wire-client.ts'

/** Peer sessions under test: a Peer on one end of a real loopback connection, a scripted remote on the other. */

export const REGTEST = loadNetwork('regtest')

/** Fake timers for Date and timers only: sockets, streams and promises keep running for real. */
export function useFakeClock (nowMs = 1_700_000_000_000): void {
  vi.useFakeTimers({ now: nowMs, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
}

/** A version as a scripted remote node sends it (a current full node by default). */
export function remoteVersion (overrides: Partial<VersionMessage> = {}): VersionMessage {
  return {
    command: 'version',
    version: 70016,
    services: NODE_NETWORK | NODE_WITNESS,
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    addrRecv: { services: 0n, host: '127.0.0.1', port: 18444 },
    addrFrom: { services: 0n, host: '::', port: 0 },
    nonce: 0x0123456789abcdefn,
    userAgent: '/scripted:1.0/',
    startHeight: 800_000,
    relay: true,
    ...overrides
  }
}

export type RecordingLogger = ReturnType<typeof recordingLogger>

/** The fields of every logger.event record named `name`, in order. */
export function loggedEvents (logger: RecordingLogger, name: string): LogFields[] {
  return logger.records.filter((r) => r.event === name).map((r) => r.fields)
}

export interface PeerFixture {
  readonly peer: Peer
  /** The Peer's own end of the connection. */
  readonly socket: Socket
  readonly remote: WireClient
  readonly logger: RecordingLogger
  readonly nonces: NonceRegistry
  close: () => void
}

/** Accepts one loopback connection; the scripted remote is the connecting side (TCP roles do not matter to a Peer). */
export async function acceptOne (): Promise<{ socket: Socket, remote: WireClient }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('listener has no TCP address')
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
  const remote = await connectWireClient({ host: '127.0.0.1', port: address.port }, REGTEST.magic)
  const socket = await accepted
  server.close()
  socket.on('error', () => { /* the Peer under test has its own listener; this keeps stray resets quiet */ })
  return { socket, remote }
}

export async function peerWithScriptedRemote (init: Partial<PeerInit> = {}, components: Partial<PeerComponents> = {}): Promise<PeerFixture> {
  const { socket, remote } = await acceptOne()
  const logger = recordingLogger()
  const nonces = init.nonces ?? new NonceRegistry(seededRandom(1))
  const peer = new Peer(socket, { clock: systemClock, random: seededRandom(7), logger, events: logger, ...components }, {
    id: 1,
    direction: 'outbound',
    addr: { network: 'ipv4', host: '127.0.0.1', port: remote.socket.localPort ?? 18444 },
    params: REGTEST,
    nonces,
    ...init
  })
  return { peer, socket, remote, logger, nonces, close: () => { peer.close('test over'); remote.close() } }
}

/** Plays the remote side of a normal handshake (version first for inbound sessions, after ours for outbound). */
export async function completeHandshake (f: PeerFixture, version: VersionMessage = remoteVersion()): Promise<HandshakeInfo> {
  const done = f.peer.handshake()
  if (f.peer.direction === 'outbound') await f.remote.next(isCommand('version'))
  f.remote.send(version)
  if (f.peer.direction === 'inbound') await f.remote.next(isCommand('version'))
  f.remote.send({ command: 'verack' })
  return await done
}
