import type { BanChange, BanList } from '../banlist/ban-list.ts'
import type { PeerkeeperMetrics } from '../metrics/registry.ts'
import { commandLabel } from '../metrics/registry.ts'
import { MISBEHAVIOUR_REASONS } from '../peer/misbehaviour.ts'
import type { Peer } from '../peer/peer.ts'
import type { Traffic, TrafficTally } from '../peer/traffic.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { Clock } from '../util/clock.ts'
import type { EventBus } from '../util/event-bus.ts'
import type { NodeEvents } from './events.ts'

export interface MetricsFeedComponents {
  clock: Clock
  events: EventBus<NodeEvents>
  registry: ConnectionRegistry<Peer>
  banList: BanList
  traffic: Traffic
}

const MISBEHAVIOUR = new Set<string>(MISBEHAVIOUR_REASONS)

/** The dials_total result of a dial_failed reason (a fixed set: never the text itself). */
export function dialResult (reason: string): string {
  if (/connection gater: banned|\bbanned\b/.test(reason)) return 'banned'
  if (/ECONNREFUSED/.test(reason)) return 'refused'
  if (/timed out|ETIMEDOUT/.test(reason)) return 'timeout'
  if (/EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|unreachable/.test(reason)) return 'unreachable'
  if (/handshake|closed before|refused:|ping/.test(reason)) return 'handshake_failed'
  return 'other'
}

/**
 * Feeds the counters and histograms from the node's events (the gauges are sampled at each scrape).
 * Returns `sampleTraffic`, which adds the traffic since the last scrape to the byte and message
 * counters, and `unsubscribe`.
 */
export function feedMetrics (c: MetricsFeedComponents, m: PeerkeeperMetrics): { sampleTraffic: () => void, unsubscribe: () => void } {
  const { events, registry, clock } = c
  const ageSeconds = (id: number): number | undefined => {
    const conn = registry.get(id)
    return conn === undefined ? undefined : (clock.now() - conn.connectedAtMs) / 1000
  }
  const offs = [
    events.on('outbound_connected', () => { m.dials.inc({ result: 'connected' }) }),
    events.on('dial_failed', (p) => { m.dials.inc({ result: dialResult(p.reason) }) }),
    events.on('peer_handshake', (p) => {
      const age = ageSeconds(p.id)
      if (age !== undefined) m.handshakeDuration.observe({ direction: p.direction }, age)
    }),
    events.on('peer_disconnected', (p) => {
      // The registry still holds the connection while its close is announced.
      const conn = registry.get(p.id)
      if (conn !== undefined) m.connectionLifetime.observe({ direction: conn.direction, type: conn.kind }, (clock.now() - conn.connectedAtMs) / 1000)
    }),
    events.on('peer_misbehaving', (p) => { m.misbehaviourPoints.inc({ reason: p.reason }, p.persistent + p.transient) }),
    events.on('dns_seeded', (p) => {
      m.seedingRounds.inc({ result: p.added > 0 ? 'ok' : p.failed === p.seeds ? 'failed' : 'empty' })
      m.seedingAddressesLearnt.inc(p.added)
    }),
    // One event per rejection, its reason from a fixed set (docs/admission.md): a bounded label.
    events.on('inbound_rejected', (p) => { m.inboundRejected.inc({ reason: p.reason }) }),
    // A departed automatic peer's redials are returns, not a permanent peer failing (the alert on this counter).
    events.on('retry_scheduled', (p) => { if (p.permanent) m.retriesScheduled.inc() }),
    events.on('outbound_connected', (p) => { if (p.returning === true) m.outboundReturns.inc({ result: 'returned' }) }),
    events.on('outbound_disconnected', (p) => { if (p.reason === 'reclaimed') m.outboundReturns.inc({ result: 'reclaimed' }) }),
    events.on('request_canceled', (p) => { if (p.reason === 'return_expired') m.outboundReturns.inc({ result: 'expired' }) }),
    events.on('addrbook_flushed', (p) => { m.storeFlushDuration.observe(p.durationMs / 1000) })
  ]
  const onBan = (change: BanChange): void => {
    if (change.type === 'added') m.bansAdded.inc({ origin: MISBEHAVIOUR.has(change.entry.reason) ? 'misbehaviour' : 'manual' })
  }
  c.banList.on('changed', onBan)
  const seen = { sent: new Map<string, { messages: number, bytes: number }>(), received: new Map<string, { messages: number, bytes: number }>() }
  const addDelta = (direction: 'sent' | 'received', tally: TrafficTally): void => {
    for (const [command, now] of tally.byCommand) {
      const before = seen[direction].get(command) ?? { messages: 0, bytes: 0 }
      const labels = { direction, command: commandLabel(command) }
      if (now.bytes > before.bytes) m.bytes.inc(labels, now.bytes - before.bytes)
      if (now.messages > before.messages) m.messages.inc(labels, now.messages - before.messages)
      seen[direction].set(command, { ...now })
    }
  }
  return {
    sampleTraffic: () => {
      addDelta('sent', c.traffic.sent)
      addDelta('received', c.traffic.received)
    },
    unsubscribe: () => {
      for (const off of offs) off()
      c.banList.off('changed', onBan)
    }
  }
}
