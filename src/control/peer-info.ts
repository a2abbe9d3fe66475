import type { Network } from '../netaddr/netaddress.ts'
import type { Peer } from '../peer/peer.ts'
import type { TrafficTally } from '../peer/traffic.ts'
import type { ConnectionInfo } from '../registry/types.ts'
import { NODE_BLOOM, NODE_COMPACT_FILTERS, NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_P2P_V2, NODE_WITNESS } from '../wire/services.ts'

/** Core's names for the service bits (servicesnames), lowest bit first. */
const SERVICE_NAMES: ReadonlyArray<readonly [bigint, string]> = [
  [NODE_NETWORK, 'NETWORK'], [NODE_BLOOM, 'BLOOM'], [NODE_WITNESS, 'WITNESS'],
  [NODE_COMPACT_FILTERS, 'COMPACT_FILTERS'], [NODE_NETWORK_LIMITED, 'NETWORK_LIMITED'], [NODE_P2P_V2, 'P2P_V2']
]

/** Core's network names (GetNetworkName): Tor is "onion". */
export function coreNetworkName (network: Network): string {
  return network === 'torv3' ? 'onion' : network
}

/** Service bits as Core prints them: 16 hex digits. */
export function servicesHex (services: bigint): string {
  return services.toString(16).padStart(16, '0')
}

export function serviceNames (services: bigint): string[] {
  return SERVICE_NAMES.filter(([bit]) => (services & bit) !== 0n).map(([, name]) => name)
}

const seconds = (ms: number): number => Math.floor(ms / 1000)

function perMessage (tally: TrafficTally): Record<string, number> {
  return Object.fromEntries([...tally.byCommand].sort(([a], [b]) => a.localeCompare(b)).map(([command, t]) => [command, t.bytes]))
}

/**
 * One getpeerinfo entry with Core's field names and units (times in Unix seconds, pings in seconds).
 * `wallOffsetMs` turns the node's clock into wall time. A connection still in its handshake reports
 * version 0 and an empty subver, as Core does; pingtime and minping are left out until a pong came.
 */
export function peerInfo (conn: ConnectionInfo<Peer>, wallOffsetMs: number): Record<string, unknown> {
  const peer = conn.session
  const hs = conn.handshake
  const services = hs?.services ?? 0n
  const traffic = peer.traffic
  const wall = (ms: number): number => ms === 0 ? 0 : seconds(ms + wallOffsetMs)
  return {
    id: conn.id,
    addr: conn.key,
    network: coreNetworkName(conn.addr.network),
    services: servicesHex(services),
    servicesnames: serviceNames(services),
    relaytxes: hs?.relay ?? false,
    lastsend: wall(traffic.lastSendMs),
    lastrecv: wall(traffic.lastReceiveMs),
    bytessent: traffic.sent.bytes,
    bytesrecv: traffic.received.bytes,
    conntime: wall(conn.connectedAtMs),
    timeoffset: hs?.timeOffsetSeconds ?? 0,
    ...(peer.latencyMs === undefined ? {} : { pingtime: peer.latencyMs / 1000 }),
    ...(peer.minLatencyMs === undefined ? {} : { minping: peer.minLatencyMs / 1000 }),
    version: hs?.version ?? 0,
    subver: hs?.userAgent ?? '',
    inbound: conn.direction === 'inbound',
    startingheight: hs?.startHeight ?? -1,
    banscore: peer.banScore.int(),
    permissions: peer.whitelisted ? ['noban'] : [],
    addr_relay_enabled: hs !== undefined,
    bytessent_per_msg: perMessage(traffic.sent),
    bytesrecv_per_msg: perMessage(traffic.received),
    connection_type: conn.kind,
    // Core's values: 'detecting' until an inbound connection's first bytes tell v1 from v2.
    transport_protocol_type: peer.transport ?? 'detecting',
    session_id: hs?.sessionId ?? '',
    tags: Object.fromEntries(conn.tags)
  }
}
