import type { Network } from '../netaddr/netaddress.ts'
import { GaterConfigError } from './errors.ts'

/** --onlynet's names (Core's; "tor" is not one of them), and the address network each stands for. */
export const ONLYNET_NAMES = ['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns'] as const
export type OnlyNetName = (typeof ONLYNET_NAMES)[number]

const NETWORK_OF: Readonly<Record<OnlyNetName, Network>> = { ipv4: 'ipv4', ipv6: 'ipv6', onion: 'torv3', i2p: 'i2p', cjdns: 'cjdns' }

/** The address network of an --onlynet name; throws GaterConfigError naming the accepted ones. */
export function onlyNetNetwork (name: string): Network {
  const key = name.trim().toLowerCase()
  if (!(ONLYNET_NAMES as readonly string[]).includes(key)) {
    throw new GaterConfigError(`"${name}" is not a network (expected one of ${ONLYNET_NAMES.join(', ')})`)
  }
  return NETWORK_OF[key as OnlyNetName]
}

/** Whether automatic connections may go to `network`: every network when `only` is empty. */
export function isReachableNetwork (only: ReadonlySet<Network>, network: Network): boolean {
  return only.size === 0 || only.has(network)
}
