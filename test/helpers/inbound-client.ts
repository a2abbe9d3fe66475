import { connect, type Socket } from 'node:net'
import type { ChainParams } from '../../src/chainparams/chainparams.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import type { TransportProtocol } from '../../src/peer/transport.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'

/**
 * An honest peer connecting to a node's listener from the loopback address `from` (127.0.0.0/8 is all
 * local on Linux): a real Peer session that speaks first, as an outbound node does; handshake() resolves
 * once version and verack went both ways. A 'v2' peer needs loadV2Transport() in this process first.
 */
export function honestInboundPeer (port: number, from: string, params: ChainParams, transport: TransportProtocol = 'v1'): Peer {
  const socket = connect({ host: '127.0.0.1', port, localAddress: from })
  return new Peer(socket, { clock: systemClock, random: seededRandom(1), logger: nullLogger }, {
    id: 1, direction: 'outbound', addr: { network: 'ipv4', host: '127.0.0.1', port }, params, nonces: new NonceRegistry(seededRandom(2)), requiredServices: 0n, transport
  })
}

/** A socket that connects from `from` and never says a word; `closed` resolves when the node closes it. */
export function silentSocket (port: number, from: string): { socket: Socket, closed: Promise<void> } {
  const socket = connect({ host: '127.0.0.1', port, localAddress: from })
  socket.on('error', () => { /* a reset from the node ends it through 'close' */ })
  return { socket, closed: new Promise((resolve) => socket.once('close', () => { resolve() })) }
}
