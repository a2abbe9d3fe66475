import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/**
 * peerkeeper's Prometheus metrics: every name starts with `peerkeeper_`, carries its unit, and has
 * labels from small fixed sets only (no addresses), so a scrape stays a few hundred series.
 */
export interface PeerkeeperMetrics {
  /** Open connections by direction (inbound|outbound) and Core's connection type string. */
  readonly connections: Gauge<'direction' | 'type'>
  readonly outboundTarget: Gauge
  /** Outbound dials by result (connected, refused, timeout, unreachable, handshake_failed, banned, other). */
  readonly dials: Counter<'result'>
  readonly handshakeDuration: Histogram<'direction'>
  readonly connectionLifetime: Histogram<'direction' | 'type'>
  /** P2P bytes by direction (received|sent) and command (commandLabel). */
  readonly bytes: Counter<'direction' | 'command'>
  readonly messages: Counter<'direction' | 'command'>
  /** Ban-score points added, by misbehaviour reason (the keys of MISBEHAVIOUR). */
  readonly misbehaviourPoints: Counter<'reason'>
  readonly bansActive: Gauge
  /** Bans added by origin (misbehaviour, manual). */
  readonly bansAdded: Counter<'origin'>
  /** Address-book entries by table (new|tried). */
  readonly addresses: Gauge<'table'>
  /** DNS seeding rounds by result (ok, empty, failed). */
  readonly seedingRounds: Counter<'result'>
  readonly seedingAddressesLearnt: Counter
  /** Inbound connections turned away, by reason (banned, full, rate_limited, not_whitelisted, …). */
  readonly inboundRejected: Counter<'reason'>
  readonly retriesScheduled: Counter
  readonly outboundReturns: Counter
  readonly storeFlushDuration: Histogram
}

/** A snapshot of the node's state, read at each scrape to set the gauges (no event needed for them). */
export interface GaugeSample {
  readonly connections?: ReadonlyArray<{ readonly direction: 'inbound' | 'outbound', readonly type: string, readonly count: number }>
  readonly outboundTarget?: number
  readonly bansActive?: number
  readonly addresses?: { readonly new: number, readonly tried: number }
}

export interface MetricsRegistryInit {
  /** Node's process metrics and event-loop delay (prom-client's default metrics); on unless false. */
  defaultMetrics?: boolean
  /** Called at each scrape before the text is rendered. */
  sample?: () => GaugeSample
}

export interface MetricsRegistry {
  readonly registry: Registry
  readonly metrics: PeerkeeperMetrics
  readonly contentType: string
  /** Samples the gauges, then renders the Prometheus text format. */
  text(): Promise<string>
}

/** The connection types a gauge always reports (0 when none), so series do not vanish between scrapes. */
export const CONNECTION_KINDS = [
  { direction: 'outbound', type: 'outbound-full-relay' },
  { direction: 'outbound', type: 'block-relay-only' },
  { direction: 'outbound', type: 'feeler' },
  { direction: 'outbound', type: 'manual' },
  { direction: 'outbound', type: 'addr-fetch' },
  { direction: 'inbound', type: 'inbound' }
] as const

/** Commands counted under their own label; anything else a peer sends is `other` (Core: `*other*`). */
const COUNTED_COMMANDS = new Set([
  'version', 'verack', 'ping', 'pong', 'getaddr', 'addr', 'addrv2', 'sendaddrv2', 'wtxidrelay', 'sendheaders',
  'sendcmpct', 'feefilter', 'inv', 'getdata', 'notfound', 'tx', 'block', 'headers', 'getheaders', 'cmpctblock',
  'getblocks', 'mempool', 'sendtxrcncl', 'reject', 'alert'
])

/** The `command` label of a P2P command: bounded, whatever a peer sends. */
export function commandLabel (command: string): string {
  return COUNTED_COMMANDS.has(command) ? command : 'other'
}

// From a loopback peer's milliseconds to a Tor peer's tens of seconds.
const HANDSHAKE_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
// From a peer dropped at once to one kept for days.
const LIFETIME_BUCKETS_SECONDS = [1, 10, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86_400, 3 * 86_400, 7 * 86_400]
// An address-book flush takes milliseconds; seconds mean a struggling disk.
const FLUSH_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** A fresh registry (not prom-client's global one, so several nodes can live in one process). */
export function createMetricsRegistry (init: MetricsRegistryInit = {}): MetricsRegistry {
  const registry = new Registry()
  const registers = [registry]
  const metrics: PeerkeeperMetrics = {
    connections: new Gauge({ name: 'peerkeeper_connections', help: 'Open peer connections by direction and connection type.', labelNames: ['direction', 'type'], registers }),
    outboundTarget: new Gauge({ name: 'peerkeeper_outbound_target_connections', help: 'Automatic outbound connections the node keeps open.', registers }),
    dials: new Counter({ name: 'peerkeeper_dials_total', help: 'Outbound connection attempts by result.', labelNames: ['result'], registers }),
    handshakeDuration: new Histogram({ name: 'peerkeeper_handshake_duration_seconds', help: 'Time from TCP connect to verack, by direction.', labelNames: ['direction'], buckets: HANDSHAKE_BUCKETS_SECONDS, registers }),
    connectionLifetime: new Histogram({ name: 'peerkeeper_connection_lifetime_seconds', help: 'How long closed connections were open, by direction and type.', labelNames: ['direction', 'type'], buckets: LIFETIME_BUCKETS_SECONDS, registers }),
    bytes: new Counter({ name: 'peerkeeper_p2p_bytes_total', help: 'P2P bytes (headers included) by direction (received, sent) and command.', labelNames: ['direction', 'command'], registers }),
    messages: new Counter({ name: 'peerkeeper_p2p_messages_total', help: 'P2P messages by direction (received, sent) and command.', labelNames: ['direction', 'command'], registers }),
    misbehaviourPoints: new Counter({ name: 'peerkeeper_misbehaviour_points_total', help: 'Ban-score points given to peers, by misbehaviour reason.', labelNames: ['reason'], registers }),
    bansActive: new Gauge({ name: 'peerkeeper_bans_active', help: 'Bans (addresses and subnets) in force.', registers }),
    bansAdded: new Counter({ name: 'peerkeeper_bans_added_total', help: 'Bans added, by origin (misbehaviour, manual).', labelNames: ['origin'], registers }),
    addresses: new Gauge({ name: 'peerkeeper_addresses', help: 'Address-book entries by table (new, tried).', labelNames: ['table'], registers }),
    seedingRounds: new Counter({ name: 'peerkeeper_seeding_rounds_total', help: 'DNS seeding rounds by result.', labelNames: ['result'], registers }),
    seedingAddressesLearnt: new Counter({ name: 'peerkeeper_seeding_addresses_learnt_total', help: 'Addresses learnt from DNS seeds.', registers }),
    inboundRejected: new Counter({ name: 'peerkeeper_inbound_rejected_total', help: 'Inbound connections turned away, by reason.', labelNames: ['reason'], registers }),
    retriesScheduled: new Counter({ name: 'peerkeeper_retries_scheduled_total', help: 'Reconnections of permanent peers scheduled with backoff.', registers }),
    outboundReturns: new Counter({ name: 'peerkeeper_outbound_returns_total', help: 'Automatic peers that left on their own: back in their slot (returned), the stand-in closed for one (reclaimed), not back within --returnwindow (expired).', labelNames: ['result'], registers }),
    storeFlushDuration: new Histogram({ name: 'peerkeeper_store_flush_duration_seconds', help: 'Time to write the address book and bans to the store.', buckets: FLUSH_BUCKETS_SECONDS, registers })
  }
  if (init.defaultMetrics !== false) collectDefaultMetrics({ register: registry })
  const applySample = (sample: GaugeSample): void => {
    if (sample.connections !== undefined) {
      metrics.connections.reset()
      for (const kind of CONNECTION_KINDS) metrics.connections.set(kind, 0)
      for (const c of sample.connections) metrics.connections.set({ direction: c.direction, type: c.type }, c.count)
    }
    if (sample.outboundTarget !== undefined) metrics.outboundTarget.set(sample.outboundTarget)
    if (sample.bansActive !== undefined) metrics.bansActive.set(sample.bansActive)
    if (sample.addresses !== undefined) {
      metrics.addresses.set({ table: 'new' }, sample.addresses.new)
      metrics.addresses.set({ table: 'tried' }, sample.addresses.tried)
    }
  }
  return {
    registry,
    metrics,
    contentType: registry.contentType,
    text: async () => {
      if (init.sample !== undefined) applySample(init.sample())
      return await registry.metrics()
    }
  }
}
