import { mkdtemp } from 'node:fs/promises'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { readCookie } from '../../src/rpc/cookie.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import type { Suite } from '../lib/result.ts'
import { nowMs, repeat, summarize } from '../lib/stats.ts'
import { probedNode, removeDataDir, simRunOptions } from '../lib/local-node.ts'

/** Core's default -maxconnections: the most peers getpeerinfo ever lists. */
const PEERS = 125
const ROUNDS = 200
const BUDGET_MS = 5_000

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  return port
}

async function http (port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => { resolve(text) })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** CPU time (user + system, ms) spent by this process while `fn` runs. */
async function cpuMs (fn: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage()
  await fn()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

/**
 * The control plane under a full node: getpeerinfo latency over HTTP with 125 peers (floor: the
 * parameterless getconnectioncount over the same path), and the CPU cost of one /metrics scrape
 * (floor: a /healthz request). Client and node share the process, so both sides are in the numbers.
 */
export const controlSuite: Suite = {
  name: 'control',
  async run (report) {
    const sim = await startSimNetwork({ peers: { live: PEERS }, port: 0, seed: 9 })
    const datadir = await mkdtemp(join(tmpdir(), 'pk-bench-control-'))
    const rpcPort = await freePort()
    const metricsPort = await freePort()
    const { node } = probedNode(simRunOptions(sim.port, datadir, {
      norpc: undefined,
      rpclisten: [`127.0.0.1:${rpcPort}`],
      metricslisten: [`127.0.0.1:${metricsPort}`],
      maxpeers: PEERS + 10,
      connect: sim.peers.map((p) => addrKey(p.addr))
    }), { retryDurationMs: 200, maxRetryDurationMs: 1_000 })
    try {
      await node.start()
      while ((node.status()?.permanentUp ?? 0) < PEERS) await new Promise((resolve) => setTimeout(resolve, 50))
      const cookie = await readCookie(datadir)
      if (cookie === undefined) throw new Error('no RPC cookie')
      const headers = { Authorization: `Basic ${Buffer.from(`${cookie.user}:${cookie.password}`).toString('base64')}`, 'Content-Type': 'application/json' }
      const call = async (method: string): Promise<number> => {
        const start = nowMs()
        const text = await http(rpcPort, 'POST', '/', headers, JSON.stringify({ method, params: [], id: 1 }))
        if (!text.includes('"error":null')) throw new Error(`${method}: ${text.slice(0, 200)}`)
        return nowMs() - start
      }
      const floor = summarize(await repeat(ROUNDS, BUDGET_MS, async () => await call('getconnectioncount')))
      const peers = (JSON.parse(await http(rpcPort, 'POST', '/', headers, JSON.stringify({ method: 'getpeerinfo', id: 1 }))) as { result: unknown[] }).result.length
      report({
        name: `getpeerinfo latency (${peers} peers, HTTP on loopback)`,
        unit: 'ms',
        summary: summarize(await repeat(ROUNDS, BUDGET_MS, async () => await call('getpeerinfo'))),
        floor: floor.median,
        extra: { peers, floorMethod: 'getconnectioncount' }
      })
      const healthz = summarize(await repeat(ROUNDS, BUDGET_MS, async () => await cpuMs(async () => await http(metricsPort, 'GET', '/healthz', {}))))
      let bytes = 0
      report({
        name: `/metrics scrape CPU (${peers} peers)`,
        unit: 'ms CPU',
        summary: summarize(await repeat(ROUNDS, BUDGET_MS, async () => await cpuMs(async () => { bytes = (await http(metricsPort, 'GET', '/metrics', {})).length }))),
        floor: healthz.median,
        extra: { scrapeBytes: bytes, floorPath: '/healthz' }
      })
    } finally {
      await node.stop()
      await sim.close()
      await removeDataDir(datadir)
    }
  }
}
