/** btcd's --maxpeers default (Core's -maxconnections is 125 too). */
export const DEFAULT_MAX_PEERS = 125
/** Core's MAX_BLOCK_RELAY_ONLY_CONNECTIONS: two connections an attacker cannot map through address relay. */
export const DEFAULT_BLOCK_RELAY_ONLY = 2

export interface PeerLimits {
  readonly targetOutbound: number
  readonly maxInbound: number
}

/**
 * btcd's server arithmetic (semantics §5): the automatic target is what --maxpeers leaves after the
 * permanent peers, at most --targetoutbound; inbound gets the slots no outbound connection reserves.
 */
export function peerLimits (init: { maxPeers: number, permanent: number, automatic: boolean, targetOutbound: number }): PeerLimits {
  const { maxPeers, permanent, automatic } = init
  const targetOutbound = !automatic || permanent >= maxPeers ? 0 : Math.min(maxPeers - permanent, init.targetOutbound)
  const reserved = Math.min(permanent + targetOutbound, maxPeers)
  return { targetOutbound, maxInbound: Math.max(maxPeers - reserved, 0) }
}
