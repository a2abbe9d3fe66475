import type { ChainParams } from '../../src/chainparams/chainparams.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import type { TransportProtocol } from '../../src/peer/transport.ts'
import { createDialer } from '../../src/transport/create-dialer.ts'
import { systemClock } from '../../src/util/clock.ts'
import { systemRandom } from '../../src/util/random.ts'

/** A loopback connect that takes longer than this is broken, not slow. */
const CONNECT_TIMEOUT_MS = 5_000

/**
 * One TCP connect and version/verack handshake (v1, or inside a BIP324 v2 session) with the real dialer
 * and peer session, closed again; resolves with its duration in ms. Only wire, peer and transport code:
 * the cold floor's child imports this and nothing of the node.
 */
export async function connectAndHandshake (addr: NetAddress, params: ChainParams, transport: TransportProtocol = 'v1', nonces = new NonceRegistry(systemRandom), id = 1): Promise<number> {
  const dialer = createDialer({ clock: systemClock, random: systemRandom, logger: nullLogger }, { connectTimeoutMs: CONNECT_TIMEOUT_MS })
  const start = performance.now()
  const socket = await dialer.dial(addr, { signal: new AbortController().signal })
  const peer = new Peer(socket, { clock: systemClock, random: systemRandom, logger: nullLogger }, {
    id,
    direction: 'outbound', addr, params, nonces, transport
  })
  try {
    await peer.handshake()
    return performance.now() - start
  } finally {
    peer.close('floor measured')
  }
}
