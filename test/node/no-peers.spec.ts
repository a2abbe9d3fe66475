import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EVENT_LOG_FORMATS } from '../../src/node/event-log.ts'
import type { NodeEvents } from '../../src/node/events.ts'
import { INITIAL_NO_PEERS_STATE, NO_PEERS_CHECK_MS, NoPeersWatch, noPeersDecision } from '../../src/node/no-peers.ts'
import { systemClock } from '../../src/util/clock.ts'
import { EventBus } from '../../src/util/event-bus.ts'

const MIN_MS = 60_000
const failedRound: NodeEvents['dns_seeded'] = { seeds: 2, failed: 2, offered: 0, added: 0, new: 0, tried: 0 }

describe('noPeersDecision', () => {
  it('warns when due, then backs off 2, 4, 8 … minutes up to an hour, and resets once a peer is up', () => {
    let state = INITIAL_NO_PEERS_STATE
    const warnedAt: number[] = []
    for (let t = 0; t <= 300 * MIN_MS; t += MIN_MS) {
      const d = noPeersDecision(state, t, 0)
      if (d.warn) warnedAt.push(t / MIN_MS)
      state = d.state
    }
    expect(warnedAt.slice(0, 7)).toEqual([0, 2, 6, 14, 30, 62, 122])
    expect(warnedAt.at(-1)).toBe(242)
    const reset = noPeersDecision(state, 301 * MIN_MS, 1)
    expect(reset).toEqual({ warn: false, state: INITIAL_NO_PEERS_STATE })
  })
})

describe('NoPeersWatch', () => {
  beforeEach(() => { vi.useFakeTimers({ now: 1_700_000_000_000 }) })
  afterEach(() => { vi.useRealTimers() })

  function watch (peersUp: () => number): { events: EventBus<NodeEvents>, warnings: Array<NodeEvents['no_peers']>, w: NoPeersWatch } {
    const events = new EventBus<NodeEvents>()
    const warnings: Array<NodeEvents['no_peers']> = []
    events.on('no_peers', (p) => { warnings.push(p) })
    const w = new NoPeersWatch({ clock: systemClock, events }, { network: 'localnet', peersUp })
    w.start()
    return { events, warnings, w }
  }

  it('warns once after a seeding round that gave nothing, not again at each round, and again after the backoff', async () => {
    const { events, warnings, w } = watch(() => 0)
    await vi.advanceTimersByTimeAsync(3_000)
    events.emit('dns_seeded', failedRound)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ network: 'localnet', sinceStartMs: 3_000, seeding: 'all 2 DNS seeds failed', nextWarningMs: 2 * MIN_MS })
    // Reseeding every minute fails every time: still one warning until the 2 minutes are over.
    await vi.advanceTimersByTimeAsync(MIN_MS)
    events.emit('dns_seeded', failedRound)
    expect(warnings).toHaveLength(1)
    // The periodic check (each minute) finds it due at 180 s, the first check past 3 s + 2 min.
    await vi.advanceTimersByTimeAsync(2 * MIN_MS)
    expect(warnings).toHaveLength(2)
    expect(warnings[1]?.sinceStartMs).toBe(180_000)
    expect(warnings[1]?.nextWarningMs).toBe(4 * MIN_MS)
    const line = EVENT_LOG_FORMATS.no_peers
    expect(line.level).toBe('warn')
    expect(line.message(warnings[0] as NodeEvents['no_peers'])).toBe(
      'no outbound peer 3 s after start (all 2 DNS seeds failed); check the network (localnet), --connect/--addpeer peers, --dnsserver and --proxy; next reminder in 120 s')
    w.stop()
  })

  it('says nothing while a peer is up, and warns promptly after a peer came and went', async () => {
    let up = 1
    const { events, warnings, w } = watch(() => up)
    await vi.advanceTimersByTimeAsync(5 * NO_PEERS_CHECK_MS)
    events.emit('dns_seeded', failedRound)
    expect(warnings).toEqual([])
    up = 0
    await vi.advanceTimersByTimeAsync(NO_PEERS_CHECK_MS)
    expect(warnings).toHaveLength(1)
    events.emit('outbound_connected', { addr: '127.1.0.1:8333', id: 1, permanent: false })
    await vi.advanceTimersByTimeAsync(NO_PEERS_CHECK_MS)
    expect(warnings).toHaveLength(2)
    w.stop()
    await vi.advanceTimersByTimeAsync(60 * NO_PEERS_CHECK_MS)
    expect(warnings).toHaveLength(2)
  })

  it('gives a seeding round that brought addresses time to dial before warning', async () => {
    const { events, warnings, w } = watch(() => 0)
    events.emit('dns_seeded', { ...failedRound, failed: 0, offered: 20, added: 20 })
    expect(warnings).toEqual([])
    await vi.advanceTimersByTimeAsync(NO_PEERS_CHECK_MS)
    expect(warnings[0]?.seeding).toBe('the last DNS seeding round gave 20 addresses')
    w.stop()
  })
})
