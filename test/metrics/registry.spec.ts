import { describe, expect, it } from 'vitest'
import { commandLabel, createMetricsRegistry } from '../../src/metrics/registry.ts'
import { findPromtool, promtoolCheckMetrics } from '../helpers/promtool.ts'

const PEERKEEPER_METRICS = [
  'peerkeeper_connections gauge', 'peerkeeper_outbound_target_connections gauge', 'peerkeeper_dials_total counter',
  'peerkeeper_handshake_duration_seconds histogram', 'peerkeeper_connection_lifetime_seconds histogram',
  'peerkeeper_p2p_bytes_total counter', 'peerkeeper_p2p_messages_total counter', 'peerkeeper_misbehaviour_points_total counter',
  'peerkeeper_bans_active gauge', 'peerkeeper_bans_added_total counter', 'peerkeeper_addresses gauge',
  'peerkeeper_seeding_rounds_total counter', 'peerkeeper_seeding_addresses_learnt_total counter',
  'peerkeeper_inbound_rejected_total counter', 'peerkeeper_retries_scheduled_total counter', 'peerkeeper_outbound_returns_total counter',
  'peerkeeper_store_flush_duration_seconds histogram'
]

/** A registry after one of each event the node will report. */
function exercised (defaultMetrics = true): ReturnType<typeof createMetricsRegistry> {
  const reg = createMetricsRegistry({
    defaultMetrics,
    sample: () => ({
      connections: [{ direction: 'outbound', type: 'outbound-full-relay', count: 7 }, { direction: 'inbound', type: 'inbound', count: 2 }],
      outboundTarget: 8,
      bansActive: 3,
      addresses: { new: 1200, tried: 45 }
    })
  })
  const m = reg.metrics
  m.dials.inc({ result: 'connected' })
  m.dials.inc({ result: 'refused' }, 2)
  m.handshakeDuration.observe({ direction: 'outbound' }, 0.12)
  m.connectionLifetime.observe({ direction: 'outbound', type: 'outbound-full-relay' }, 3600)
  m.bytes.inc({ direction: 'received', command: commandLabel('addrv2') }, 1024)
  m.messages.inc({ direction: 'sent', command: commandLabel('ping') })
  m.misbehaviourPoints.inc({ reason: 'oversizedAddr' }, 20)
  m.bansAdded.inc({ origin: 'misbehaviour' })
  m.seedingRounds.inc({ result: 'ok' })
  m.seedingAddressesLearnt.inc(25)
  m.inboundRejected.inc({ reason: 'banned' })
  m.retriesScheduled.inc()
  m.outboundReturns.inc({ result: 'returned' })
  m.storeFlushDuration.observe(0.004)
  return reg
}

describe('createMetricsRegistry', () => {
  it('defines every peerkeeper metric with its type, plus Node\'s process and event-loop metrics', async () => {
    const text = await exercised().text()
    for (const line of PEERKEEPER_METRICS) expect(text).toContain(`# TYPE ${line}\n`)
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m)
    expect(text).toMatch(/^process_cpu_seconds_total /m)
    expect(text).toMatch(/^process_resident_memory_bytes /m)
  })

  it('sets the gauges from the sample at each scrape, keeping known connection types at 0', async () => {
    const text = await exercised().text()
    expect(text).toContain('peerkeeper_connections{direction="outbound",type="outbound-full-relay"} 7\n')
    expect(text).toContain('peerkeeper_connections{direction="outbound",type="manual"} 0\n')
    expect(text).toContain('peerkeeper_connections{direction="inbound",type="inbound"} 2\n')
    expect(text).toContain('peerkeeper_outbound_target_connections 8\n')
    expect(text).toContain('peerkeeper_addresses{table="tried"} 45\n')
    expect(text).toContain('peerkeeper_dials_total{result="refused"} 2\n')
    expect(text).toContain('peerkeeper_handshake_duration_seconds_bucket{le="0.25",direction="outbound"} 1\n')
  })

  it('keeps label sets bounded: unknown P2P commands count as "other"', () => {
    expect(commandLabel('version')).toBe('version')
    expect(commandLabel('xyzzy-spam-1')).toBe('other')
    expect(commandLabel('__proto__')).toBe('other')
  })

  it('gives each registry its own metrics (two nodes in one process do not collide)', async () => {
    const a = createMetricsRegistry({ defaultMetrics: false })
    const b = createMetricsRegistry({ defaultMetrics: false })
    a.metrics.retriesScheduled.inc()
    expect(await b.text()).toContain('peerkeeper_retries_scheduled_total 0\n')
    expect(await a.text()).not.toContain('process_cpu')
  })

  it('passes `promtool check metrics`', async (ctx) => {
    const promtool = findPromtool()
    if (promtool === undefined) {
      console.log('SKIPPED promtool check: promtool is not installed (Debian package prometheus; .ci/run installs it)')
      ctx.skip()
      return
    }
    const all = await promtoolCheckMetrics(promtool, await exercised().text())
    // prom-client's default metrics name three gauges *_total (its known wart, not ours): promtool's only
    // remarks, as lint (exit 3), never a parse failure (exit 1).
    expect(all.output.trim().split('\n').sort()).toEqual(['active_handles', 'active_requests', 'active_resources'].map((m) => `nodejs_${m}_total non-counter metrics should not have "_total" suffix`))
    expect(all.code).toBe(3)
    const ours = await promtoolCheckMetrics(promtool, await exercised(false).text())
    expect(ours).toEqual({ code: 0, output: '' })
  })
})
