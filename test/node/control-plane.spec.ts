import { afterEach, describe, expect, it } from 'vitest'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { httpRequest } from '../helpers/http-request.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { findPromtool, promtoolCheckMetrics } from '../helpers/promtool.ts'
import { startRpcNode } from '../helpers/rpc-node.ts'

// The metrics endpoint of a running node: gauges sampled from its parts, counters fed by its events.

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function simNetwork (live: number): Promise<SimNetwork> {
  const sim = await startSimNetwork({ peers: { live }, port: 0, seed: 5 })
  cleanup.push(async () => { await sim.close() })
  return sim
}

/** The value of one sample line (`name{labels} value`) in a scrape, or undefined. */
function sample (text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('the control plane of a running node: /metrics, /readyz, /healthz', () => {
  it('is not ready until the outbound target is reached, then is; the scrape counts connections, dials, traffic and bans and passes promtool', async () => {
    const sim = await simNetwork(3)
    const metricsPort = await refusedPort()
    const rpc = await startRpcNode(sim, { targetoutbound: 2, metricslisten: [`127.0.0.1:${metricsPort}`] }, cleanup)
    const { node, log } = rpc
    const notReady = await httpRequest(metricsPort, { method: 'GET', path: '/readyz' })
    expect(notReady.status).toBe(503)
    expect(JSON.parse(notReady.body)).toEqual({ ready: false, reason: 'outbound 0/2: the outbound target is not reached yet' })
    expect((await httpRequest(metricsPort, { method: 'GET', path: '/healthz' })).status).toBe(200)

    for (const i of [0, 1]) await rpc.call('addpeeraddress', [sim.peer(i).addr.host, sim.peer(i).addr.port])
    await log.waitUntil('2 outbound peers', () => node.status()?.outbound === 2)
    const ready = await httpRequest(metricsPort, { method: 'GET', path: '/readyz' })
    expect([ready.status, JSON.parse(ready.body)]).toEqual([200, { ready: true }])

    await rpc.call('setban', [sim.peer(1).addr.host, 'add'])
    await log.waitFor('peer_disconnected', (f) => f.addr === addrKey(sim.peer(1).addr))
    const scrape = await httpRequest(metricsPort, { method: 'GET', path: '/metrics' })
    expect(scrape.status).toBe(200)
    const text = scrape.body
    // Gossip may have brought a third peer by now: the scrape is compared with the node's own view.
    expect(sample(text, 'peerkeeper_connections{direction="outbound",type="outbound-full-relay"}')).toBe(node.registry?.count('outbound-full-relay').total)
    expect(sample(text, 'peerkeeper_connections{direction="outbound",type="manual"}')).toBe(0)
    expect(sample(text, 'peerkeeper_connections{direction="inbound",type="inbound"}')).toBe(0)
    expect(sample(text, 'peerkeeper_outbound_target_connections')).toBe(2)
    expect(sample(text, 'peerkeeper_dials_total{result="connected"}')).toBe(log.events('outbound_connected').length)
    expect(sample(text, 'peerkeeper_bans_active')).toBe(1)
    expect(sample(text, 'peerkeeper_bans_added_total{origin="manual"}')).toBe(1)
    expect(sample(text, 'peerkeeper_addresses{table="tried"}')).toBe(node.book?.size().tried)
    const handshakes = log.events('peer_handshake').length
    expect(handshakes).toBeGreaterThanOrEqual(2)
    expect(sample(text, 'peerkeeper_handshake_duration_seconds_count{direction="outbound"}')).toBe(handshakes)
    expect(sample(text, 'peerkeeper_connection_lifetime_seconds_count{direction="outbound",type="outbound-full-relay"}')).toBe(log.events('peer_disconnected').length)
    // A replacement dial may have sent its version and not be handshaken yet when the scrape is taken.
    expect(sample(text, 'peerkeeper_p2p_messages_total{direction="sent",command="version"}')).toBeGreaterThanOrEqual(handshakes)
    expect(sample(text, 'peerkeeper_p2p_bytes_total{direction="received",command="verack"}')).toBe(24 * handshakes)
    expect(text).toContain('nodejs_eventloop_lag_seconds')
    expect(text).not.toMatch(/127\.\d+\.\d+\.\d+/) // no address in any label

    const promtool = findPromtool()
    if (promtool === undefined) {
      console.log('SKIPPED promtool check: promtool is not installed (Debian package prometheus)')
      return
    }
    const checked = await promtoolCheckMetrics(promtool, text)
    // promtool's only remarks are on prom-client's own nodejs_active_* gauges (see docs/control-plane.md).
    expect(checked.output.split('\n').filter((l) => l.trim() !== '' && !l.includes('nodejs_active_'))).toEqual([])
  })
})
