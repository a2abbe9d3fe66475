import { afterEach, describe, expect, it, vi } from 'vitest'
import { nullLogger } from '../../src/log/logger.ts'
import { MetricsServer, type Readiness } from '../../src/metrics/http.ts'
import { createMetricsRegistry } from '../../src/metrics/registry.ts'
import { systemClock } from '../../src/util/clock.ts'
import { httpRequest } from '../helpers/http-request.ts'
import { findPromtool, promtoolCheckMetrics } from '../helpers/promtool.ts'
import { useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

describe('MetricsServer on loopback', () => {
  let server: MetricsServer | undefined
  let readiness: Readiness = { ready: false, reason: 'outbound 3/8' }
  afterEach(async () => {
    await server?.stop()
    server = undefined
    vi.useRealTimers()
  })

  const start = async (): Promise<number> => {
    const registry = createMetricsRegistry({ defaultMetrics: false, sample: () => ({ outboundTarget: 8 }) })
    registry.metrics.dials.inc({ result: 'connected' })
    server = new MetricsServer({ clock: systemClock, logger: nullLogger }, { listen: [{ host: '127.0.0.1', port: 0 }], metrics: registry, ready: () => readiness })
    await server.start()
    return server.addresses()[0]?.port ?? 0
  }

  it('serves /metrics in the Prometheus text format, which promtool accepts', async (ctx) => {
    const port = await start()
    const reply = await httpRequest(port, { method: 'GET', path: '/metrics' })
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(reply.body).toContain('peerkeeper_outbound_target_connections 8\n')
    expect(reply.body).toContain('peerkeeper_dials_total{result="connected"} 1\n')
    const promtool = findPromtool()
    if (promtool === undefined) {
      console.log('SKIPPED promtool check of /metrics: promtool is not installed (Debian package prometheus)')
      ctx.skip()
      return
    }
    expect(await promtoolCheckMetrics(promtool, reply.body)).toEqual({ code: 0, output: '' })
  })

  it('answers /readyz 200 when ready, else 503 with the JSON reason', async () => {
    const port = await start()
    readiness = { ready: false, reason: 'outbound 3/8' }
    const waiting = await httpRequest(port, { method: 'GET', path: '/readyz' })
    expect(waiting.status).toBe(503)
    expect(JSON.parse(waiting.body)).toEqual({ ready: false, reason: 'outbound 3/8' })
    readiness = { ready: true }
    const ready = await httpRequest(port, { method: 'GET', path: '/readyz' })
    expect(ready.status).toBe(200)
    expect(JSON.parse(ready.body)).toEqual({ ready: true })
  })

  it('answers /healthz 200 while the heartbeat turns, 503 once it is older than 5 s', async () => {
    useFakeTimersWithRealIo(1_000_000)
    const port = await start()
    await vi.advanceTimersByTimeAsync(10_000)
    const alive = await httpRequest(port, { method: 'GET', path: '/healthz' })
    expect(alive.status).toBe(200)
    expect(JSON.parse(alive.body)).toEqual({ alive: true, heartbeatAgeMs: 0 })
    // Time passes without the timers running: what a blocked event loop looks like to the next request.
    vi.setSystemTime(1_000_000 + 10_000 + 5_001)
    const stalled = await httpRequest(port, { method: 'GET', path: '/healthz' })
    expect(stalled.status).toBe(503)
    expect(JSON.parse(stalled.body)).toEqual({ alive: false, heartbeatAgeMs: 5_001 })
  })

  it('serves HEAD without a body, refuses other methods (405) and paths (404)', async () => {
    const port = await start()
    const head = await httpRequest(port, { method: 'HEAD', path: '/metrics' })
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    const post = await httpRequest(port, { method: 'POST', path: '/metrics', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
    expect((await httpRequest(port, { method: 'GET', path: '/' })).status).toBe(404)
  })
})
