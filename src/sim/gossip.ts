import type { NetAddress, TimedAddress } from '../netaddr/netaddress.ts'
import type { Random } from '../util/random.ts'
import { NODE_NETWORK, NODE_P2P_V2, NODE_WITNESS } from '../wire/services.ts'

/** Services every gossiped sim address claims: what a node requires of a full peer by default. */
export const SIM_SERVICES = NODE_NETWORK | NODE_WITNESS

/** What a sim peer advertises (in its version, and others in gossip about it): BIP324 peers add NODE_P2P_V2. */
export function simServices (v2: boolean): bigint {
  return v2 ? SIM_SERVICES | NODE_P2P_V2 : SIM_SERVICES
}
/** Gossiped addresses look seen within the last few hours, like a real node's fresh entries. */
const MAX_GOSSIP_AGE_SECONDS = 3 * 3600

/**
 * A random sample (partial Fisher-Yates) of up to `max` addresses other than `self`, with plausible
 * timestamps and the services `servicesOf` gives: the answer a sim peer gives to `getaddr`.
 */
export function gossipSample (all: readonly NetAddress[], self: NetAddress, max: number, random: Random, nowSeconds: number,
  servicesOf: (addr: NetAddress) => bigint = () => SIM_SERVICES): TimedAddress[] {
  const pool = all.filter((a) => a.host !== self.host || a.port !== self.port)
  const take = Math.min(max, pool.length)
  const out: TimedAddress[] = []
  for (let i = 0; i < take; i++) {
    const j = i + random.int(pool.length - i)
    const pick = pool[j] as NetAddress
    pool[j] = pool[i] as NetAddress
    pool[i] = pick
    out.push({ addr: pick, services: servicesOf(pick), time: Math.max(0, nowSeconds - random.int(MAX_GOSSIP_AGE_SECONDS)) })
  }
  return out
}
