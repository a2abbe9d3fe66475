import type { ChainParams } from '../../src/chainparams/chainparams.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import type { TransportProtocol } from '../../src/peer/transport.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { createDialer } from '../../src/transport/create-dialer.ts'
import { systemClock } from '../../src/util/clock.ts'
import { systemRandom } from '../../src/util/random.ts'
import type { BenchResult } from './result.ts'
import { nowMs, repeat, summarize, type Summary } from './stats.ts'

const ROUNDS = 60
const BUDGET_MS = 3_000
/** A loopback connect that takes longer than this is broken, not slow. */
const CONNECT_TIMEOUT_MS = 5_000

let measured: Summary | undefined

/** One TCP connect and version/verack handshake (v1, or inside a BIP324 v2 session) with the real dialer and peer session; ms. */
export async function connectAndHandshake (addr: NetAddress, params: ChainParams, transport: TransportProtocol = 'v1'): Promise<number> {
  const dialer = createDialer({ clock: systemClock, random: systemRandom, logger: nullLogger }, { connectTimeoutMs: CONNECT_TIMEOUT_MS })
  const start = nowMs()
  const socket = await dialer.dial(addr, { signal: new AbortController().signal })
  const peer = new Peer(socket, { clock: systemClock, random: systemRandom, logger: nullLogger }, {
    id: 1,
    direction: 'outbound', addr, params, nonces: new NonceRegistry(systemRandom), transport
  })
  try {
    await peer.handshake()
    return nowMs() - start
  } finally {
    peer.close('floor measured')
  }
}

/**
 * Measurement 1, the physical floor: connect + handshake to one live sim peer, in this run, on this
 * machine. Measured once per run (by whichever suite asks first) and reported as its own row.
 */
export async function floor (report: (result: BenchResult) => void): Promise<Summary> {
  if (measured !== undefined) return measured
  const sim = await startSimNetwork({ peers: { live: 1 }, port: 0, seed: 1 })
  try {
    const addr = sim.peer(0).addr
    await connectAndHandshake(addr, sim.params) // warm-up: JIT and the first-connection costs
    const samples = await repeat(ROUNDS, BUDGET_MS, async () => await connectAndHandshake(addr, sim.params))
    measured = summarize(samples)
  } finally {
    await sim.close()
  }
  report({ name: '1 floor: TCP connect + handshake, one live peer', unit: 'ms', summary: measured })
  return measured
}
