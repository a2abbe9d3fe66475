import { get, type IncomingMessage } from 'node:http'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { refusedPort } from '../../test/helpers/loopback-listener.ts'
import { prefilledDataDir, removeDataDir, simRunOptions } from '../lib/local-node.ts'
import { NodeChild } from '../lib/node-child.ts'
import type { Suite } from '../lib/result.ts'
import { summarize } from '../lib/stats.ts'
import { sample } from '../lib/usage.ts'

const TARGET_OUTBOUND = 8
/** The "many clients at once". */
const STREAM_CLIENTS = 50
/** Flapping peers keep the node busy (disconnects, dials, handshakes): the stream has events to carry. */
const FLAPPING_PEERS = 40
const SAMPLES = 6
const TARGET_TIMEOUT_MS = 20_000

/** One reading stream client; counts the bytes it receives. */
async function streamClient (url: string, received: { bytes: number }): Promise<IncomingMessage> {
  return await new Promise((resolve, reject) => {
    get(`${url}api/events`, { agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status stream answered ${res.statusCode ?? '?'}`))
      res.on('data', (chunk: Buffer) => { received.bytes += chunk.length })
      resolve(res)
    }).on('error', reject)
  })
}

/**
 * The status page's cost: the node's RSS and CPU per second with no page open, then with 50 stream
 * clients reading, on a churning network (the node alone in its process; the clients in this one).
 */
export const statusSuite: Suite = {
  name: 'status',
  async run (report) {
    const sim = await startSimNetwork({ peers: { flapping: FLAPPING_PEERS }, port: 0, seed: 23 })
    const { datadir } = await prefilledDataDir(sim.addresses(), 23)
    const port = await refusedPort()
    const url = `http://127.0.0.1:${port}/`
    const clients: IncomingMessage[] = []
    let node: NodeChild | undefined
    try {
      node = await NodeChild.start(simRunOptions(sim.port, datadir, { targetoutbound: TARGET_OUTBOUND, statuslisten: [`127.0.0.1:${port}`] }))
      await node.waitOutbound(TARGET_OUTBOUND, TARGET_TIMEOUT_MS)
      const without = await sample(node, SAMPLES)
      const received = { bytes: 0 }
      clients.push(...await Promise.all(Array.from({ length: STREAM_CLIENTS }, async () => await streamClient(url, received))))
      const helloBytes = received.bytes
      const withClients = await sample(node, SAMPLES)
      const perClientBps = (received.bytes - helloBytes) / STREAM_CLIENTS / SAMPLES
      report({
        name: `status: node CPU with ${STREAM_CLIENTS} stream clients`,
        unit: '%core',
        summary: summarize(withClients.cpuPct),
        extra: { withoutClientsPct: summarize(without.cpuPct).median.toFixed(2), flappingPeers: FLAPPING_PEERS, bytesPerClientPerS: Math.round(perClientBps) }
      })
      report({
        name: `status: node RSS with ${STREAM_CLIENTS} stream clients`,
        unit: 'MB',
        summary: summarize(withClients.rssMB),
        extra: { withoutClientsMB: summarize(without.rssMB).median.toFixed(1), helloBytesPerClient: Math.round(helloBytes / STREAM_CLIENTS) }
      })
    } finally {
      for (const c of clients) c.destroy()
      await node?.stop()
      await sim.close()
      await removeDataDir(datadir)
    }
  }
}
