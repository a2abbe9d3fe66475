import type { Peer } from '../peer/peer.ts'
import { PeerValue } from '../peervalue/peer-value.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { Clock } from '../util/clock.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { Random } from '../util/random.ts'
import type { NodeConfig } from './config.ts'
import type { NodeEvents } from './events.ts'

/**
 * The node's peer value from its config: inbound slots from the inbound slice, trimming from the
 * peerValue slice. The node hands it to Sessions (tags, usefulness) and to the listener (eviction).
 */
export function createPeerValue (config: NodeConfig, c: { clock: Clock, random: Random, events: EventSink<NodeEvents>, registry: ConnectionRegistry<Peer> }): PeerValue {
  return new PeerValue(c, { ...config.peerValue, maxInbound: config.inbound.maxInbound })
}
