import { once } from 'node:events'
import { connect } from 'node:net'
import { loadChainParams, type ChainParams } from '../../src/chainparams/chainparams.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { DEFAULT_BLOCK_RELAY_ONLY, DEFAULT_MAX_PEERS } from '../../src/node/limits.ts'
import { Peer } from '../../src/peer/peer.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { systemClock } from '../../src/util/clock.ts'
import { systemRandom } from '../../src/util/random.ts'
import { refusedPort } from '../../test/helpers/loopback-listener.ts'
import { sourceHost } from '../lib/flood.ts'
import { prefilledDataDir, removeDataDir, simRunOptions } from '../lib/local-node.ts'
import { NodeChild } from '../lib/node-child.ts'
import type { Suite } from '../lib/result.ts'
import { sleep, summarize } from '../lib/stats.ts'
import { sample } from '../lib/usage.ts'

const TARGET_OUTBOUND = 8
/** The automatic outbound connections the node holds: the target and the block-relay-only slots beside it. */
const OUTBOUND = TARGET_OUTBOUND + DEFAULT_BLOCK_RELAY_ONLY
/** btcd's and Core's 125 connections: the inbound slots --maxpeers 125 leaves beside the outbound ones. */
const INBOUND = DEFAULT_MAX_PEERS - OUTBOUND
const LIVE_PEERS = 40
const SAMPLES = 5
const BASELINE_SAMPLES = 2
/** Handshakes in flight at once while the inbound clients connect. */
const CONNECT_BATCH = 20
const TARGET_TIMEOUT_MS = 20_000
const STATUS_POLLS = 40
const STATUS_POLL_MS = 50

/** An inbound peer of the node: TCP from its own loopback address, then the version handshake. */
async function inboundClient (i: number, port: number, params: ChainParams): Promise<Peer> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: sourceHost(i) })
  await once(socket, 'connect')
  const peer = new Peer(socket, { clock: systemClock, random: systemRandom, logger: nullLogger }, {
    // The node serves no blocks (services 0): this client must not require any.
    id: i + 1, direction: 'outbound', addr: { network: 'ipv4', host: '127.0.0.1', port }, params, nonces: new NonceRegistry(systemRandom), requiredServices: 0n
  })
  await peer.handshake()
  return peer
}

/** Measurement 8: the node's RSS and CPU per second while it holds 125 idle connections. */
export const resourcesSuite: Suite = {
  name: 'resources',
  async run (report) {
    const sim = await startSimNetwork({ peers: { live: LIVE_PEERS }, port: 0, seed: 17 })
    const { datadir } = await prefilledDataDir(sim.addresses(), 17)
    const port = await refusedPort()
    const options = simRunOptions(sim.port, datadir, { targetoutbound: TARGET_OUTBOUND, listen: [`127.0.0.1:${port}`], nolisten: false })
    const params = loadChainParams(options.chainparams as string)
    const clients: Peer[] = []
    let node: NodeChild | undefined
    try {
      node = await NodeChild.start(options)
      await node.waitOutbound(TARGET_OUTBOUND, TARGET_TIMEOUT_MS)
      const baseline = await sample(node, BASELINE_SAMPLES)
      for (let i = 0; i < INBOUND; i += CONNECT_BATCH) {
        const batch = Array.from({ length: Math.min(CONNECT_BATCH, INBOUND - i) }, async (_, j) => await inboundClient(i + j, port, params))
        clients.push(...await Promise.all(batch))
      }
      // Our side of a handshake ends before the node has read our verack: give it a moment, bounded.
      let status = await node.status()
      for (let i = 0; i < STATUS_POLLS && (status?.inbound !== INBOUND || status.blockRelay !== DEFAULT_BLOCK_RELAY_ONLY); i++) {
        await sleep(STATUS_POLL_MS)
        status = await node.status()
      }
      const outbound = (status?.outbound ?? 0) + (status?.blockRelay ?? 0)
      if (status?.inbound !== INBOUND || outbound !== OUTBOUND) {
        throw new Error(`resources: the node holds ${outbound} outbound and ${status?.inbound ?? 0} inbound, not ${OUTBOUND} + ${INBOUND}`)
      }
      const loaded = await sample(node, SAMPLES)
      const connections = OUTBOUND + INBOUND
      report({
        name: `8 resources: RSS with ${connections} idle connections`,
        unit: 'MB',
        summary: summarize(loaded.rssMB),
        extra: { with8OutboundOnlyMB: summarize(baseline.rssMB).median.toFixed(1) }
      })
      report({
        name: `8 resources: CPU with ${connections} idle connections`,
        unit: '%core',
        summary: summarize(loaded.cpuPct),
        extra: { with8OutboundOnlyPct: summarize(baseline.cpuPct).median.toFixed(2), note: 'CPU time per wall second, % of one core' }
      })
    } finally {
      for (const client of clients) client.close('bench over')
      await node?.stop()
      await sim.close()
      await removeDataDir(datadir)
    }
  }
}
