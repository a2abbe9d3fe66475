import { afterEach, describe, expect, it } from 'vitest'
import { EclipseNetwork, outboundShare, type NodeSettings } from '../../bench/lib/eclipse/network.ts'
import { scaledClock } from '../../bench/lib/eclipse/scaled-clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const HONEST = 6
const SETTINGS: NodeSettings = { name: 'test', blockRelayOnly: 2, feelers: false }
/** Generous real-time deadlines: nothing in this test waits on them. */
const TIMING = { connectTimeoutMs: 5_000, dialStaggerMs: 5_000, peerTimeouts: { handshakeMs: 10_000 } }

/** Real seconds a loaded machine may take to connect the small network: a bound, never waited out when all is well. */
const CONNECT_BOUND_MS = 20_000

/** Resolves once `done` holds, checked at every outbound connection of any node; rejects after CONNECT_BOUND_MS. */
async function untilConnected (net: EclipseNetwork, done: () => boolean): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const offs: Array<() => void> = []
    const finish = (err?: Error): void => {
      clearTimeout(bound)
      for (const off of offs) off()
      if (err === undefined) resolve()
      else reject(err)
    }
    const bound = setTimeout(() => { finish(new Error(`the nodes did not connect within ${CONNECT_BOUND_MS} ms`)) }, CONNECT_BOUND_MS)
    for (const node of net.nodes) offs.push(node.events.on('outbound_connected', () => { if (done()) finish() }))
    if (done()) finish()
  })
}

/** The eclipse simulation's network starts as a running network would be met: every node listens before any dials. */
describe('eclipse simulation: EclipseNetwork start', () => {
  let net: EclipseNetwork | undefined
  afterEach(async () => { await net?.close() })

  it('lets no node dial before every node listens: the first picks reach every honest node, none fails', async () => {
    net = new EclipseNetwork({ clock: scaledClock(1), random: seededRandom(7) }, {
      settings: SETTINGS,
      scenario: { honest: HONEST, attackerGroups: 2, gossipFactor: 1 },
      port: await refusedPort(),
      dir: tempDir('eclipse-net'),
      timing: TIMING,
      magicHex: 'fabfb5da',
      restarting: [0, 1],
      listenBeforeDial: true
    })
    await net.start()
    const network = net
    // Each node knows the 5 other honest nodes and one attacker group, one peer per group: 6 slots to fill.
    await untilConnected(network, () => network.nodes.every((n) => outboundShare(n).total === HONEST))
    expect(network.honestDialFailures).toEqual(Array.from({ length: HONEST }, () => 0))
    expect(network.nodes.map((n) => outboundShare(n).attacker)).toEqual(Array.from({ length: HONEST }, () => 1))
  })
})
