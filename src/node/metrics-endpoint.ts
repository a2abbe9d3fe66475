import { MetricsServer, type Readiness } from '../metrics/http.ts'
import { createMetricsRegistry } from '../metrics/registry.ts'
import type { HostPort } from '../netaddr/netaddress.ts'
import { CONNECTION_KINDS } from '../registry/types.ts'
import type { ControlPlaneComponents } from './control-plane.ts'
import type { NodeConfig } from './config.ts'
import { feedMetrics } from './metrics-events.ts'
import type { NodeParts } from './node.ts'

/** /readyz: the outbound target reached, or with --connect one permanent peer up. */
export function readiness (config: NodeConfig, parts: Pick<NodeParts, 'registry'>): Readiness {
  if (config.outbound.connectOnly) {
    const up = parts.registry.count('manual').established
    return up >= 1 ? { ready: true } : { ready: false, reason: `no --connect peer connected yet (0 of ${config.outbound.permanentPeers.length})` }
  }
  const target = config.outbound.targetOutbound
  const up = parts.registry.count('outbound-full-relay').established
  return up >= target ? { ready: true } : { ready: false, reason: `outbound ${up}/${target}: the outbound target is not reached yet` }
}
/**
 * The /metrics, /healthz and /readyz endpoint, fed by the event bus. Its own module so that a node
 * without --metricslisten never loads it (nor prom-client): the control plane imports it at start.
 */
export function createMetricsEndpoint (components: ControlPlaneComponents, config: NodeConfig, metrics: { readonly listen: readonly HostPort[] }): { server: MetricsServer, unsubscribe: () => void } {
  const { clock, logging, parts, events } = components
  let sampleTraffic = (): void => {}
  const registry = createMetricsRegistry({
    sample: () => {
      sampleTraffic()
      return {
        connections: CONNECTION_KINDS.map((kind) => ({ direction: kind === 'inbound' ? 'inbound' as const : 'outbound' as const, type: kind, count: parts.registry.count(kind).total })),
        outboundTarget: config.outbound.targetOutbound,
        bansActive: parts.banList.size,
        addresses: parts.book.size()
      }
    }
  })
  const feed = feedMetrics({ clock, events, registry: parts.registry, banList: parts.banList, traffic: parts.traffic }, registry.metrics)
  sampleTraffic = feed.sampleTraffic
  const server = new MetricsServer({ clock, logger: logging.subsystem('RPC') }, {
    listen: metrics.listen,
    metrics: registry,
    ready: () => readiness(config, parts)
  })
  return { server, unsubscribe: feed.unsubscribe }
}
