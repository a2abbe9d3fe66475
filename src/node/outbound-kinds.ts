import { ConnManager } from '../connmgr/conn-manager.ts'
import type { ConnReq } from '../connmgr/conn-req.ts'
import type { ConnManagerInit } from '../connmgr/config.ts'
import { isReachableNetwork } from '../gater/onlynet.ts'
import type { Logger } from '../log/logger.ts'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { NodeConfig } from './config.ts'
import type { NodeEvents } from './events.ts'
import { Feelers, type FeelersComponents } from './feelers.ts'
import type { LocalAddresses } from './local-addresses.ts'
import { Outbound, type OutboundConnection } from './outbound.ts'
import { pickDefined } from '../util/defined.ts'

export type OutboundKindsComponents = FeelersComponents & {
  logger: Logger
  events: EventSink<NodeEvents>
  /** The full-relay connection manager's requests (addresses and groups in use). */
  fullRelayRequests(): readonly ConnReq[]
  /** Our own addresses: never dialed. */
  local: LocalAddresses
}

export interface OutboundKindsInit {
  /** Anchors from the last run: dialed as block-relay-only connections when there are such slots. */
  anchors: readonly NetAddress[]
  feelerIntervalMs?: number
  dialStaggerMs?: number
  recentTryMs?: number
  /** The full-relay side's rotation; the block-relay-only side takes it only with outbound.rotateBlockRelay. */
  rotation: NonNullable<ConnManagerInit<OutboundConnection>['rotation']>
  /** Returns of departed peers (both sides: an honest anchor that restarts takes its slot back). */
  returns: NonNullable<ConnManagerInit<OutboundConnection>['returns']>
}

/** The outbound kinds beside full relay: Core's block-relay-only slots and the feeler. */
export interface OutboundKinds {
  /** Its own connection manager, with the block-relay-only target; undefined with 0 slots. */
  readonly blockRelay: ConnManager<OutboundConnection> | undefined
  readonly feelers: Feelers | undefined
  /** Whether automatic connections may go to this address: on a network --onlynet allows, and not ours. */
  mayDial(addr: NetAddress): boolean
  /** Every outbound request of both managers (for the in-use addresses and groups). */
  requests(): readonly ConnReq[]
  /** The anchors the full-relay side dials (all of them when there are no block-relay-only slots). */
  readonly fullRelayAnchors: readonly NetAddress[]
}

/**
 * Builds the block-relay-only connection manager and the feelers from the config (both may be off).
 * Block-relay-only slots take an address from the book only once the full-relay target is met (Core's
 * priority), but dial the anchors first; feelers run only when every automatic slot is up.
 */
export function buildOutboundKinds (c: OutboundKindsComponents, config: NodeConfig, init: OutboundKindsInit): OutboundKinds {
  const { targetOutbound, blockRelayOnly, feelers: feelersOn, onlyNets } = config.outbound
  const only = new Set(onlyNets)
  const mayDial = (addr: NetAddress): boolean => isReachableNetwork(only, addr.network) && !c.local.has(addr)
  const fullRelayUp = (): boolean => c.registry.count('outbound-full-relay').established >= targetOutbound
  let blockRelay: ConnManager<OutboundConnection> | undefined
  const requests = (): readonly ConnReq[] => [...c.fullRelayRequests(), ...(blockRelay?.requests() ?? [])]
  if (blockRelayOnly > 0) {
    const side = new Outbound({ ...c, requests }, {
      kind: 'block-relay-only',
      defaultPort: config.params.defaultPort,
      targetOutbound: blockRelayOnly,
      isPermanent: () => false,
      anchors: init.anchors,
      mayFill: fullRelayUp,
      mayDial,
      ...pickDefined(init, 'recentTryMs')
    })
    blockRelay = new ConnManager({ clock: c.clock, random: c.random, logger: c.logger, events: c.events, nextId: c.registry.nextId, dial: side.dial }, {
      targetOutbound: blockRelayOnly,
      kind: 'block-relay-only',
      getNewAddress: side.getNewAddress,
      returns: init.returns,
      claimOnFailure: side.claimOnFailure,
      ...pickDefined(init, 'dialStaggerMs'),
      ...(config.outbound.rotateBlockRelay === true ? { rotation: init.rotation } : {})
    })
  }
  const feelers = feelersOn && targetOutbound > 0
    ? new Feelers(c, {
      defaultPort: config.params.defaultPort,
      targetOutbound,
      ...(init.feelerIntervalMs === undefined ? {} : { intervalMs: init.feelerIntervalMs }),
      targetMet: () => fullRelayUp() && c.registry.count('block-relay-only').established >= blockRelayOnly,
      inUseKeys: () => new Set(requests().flatMap((r) => r.addr === undefined ? [] : [addrKey(r.addr)])),
      mayDial,
      ...pickDefined(init, 'recentTryMs')
    })
    : undefined
  return { blockRelay, feelers, mayDial, requests, fullRelayAnchors: blockRelay === undefined ? init.anchors : [] }
}

/**
 * The peers of `manager` (the side the anchors come from) that left and are redialed for their slots
 * (returns), with their groups: the anchor keeper saves them ahead of the stand-ins in their slots.
 */
export function claimedPeers (manager: { requests(): readonly ConnReq[] } | undefined, book: { groupKey(addr: NetAddress): string }): Array<{ addr: NetAddress, group: string }> {
  return (manager?.requests() ?? []).flatMap((r) => r.returnUntilMs !== undefined && r.addr !== undefined ? [{ addr: r.addr, group: book.groupKey(r.addr) }] : [])
}
