import { SimConfigError } from './errors.ts'

/**
 * Where simulated peers live: 127.<second>.<third>.<fourth>. Linux routes all of 127.0.0.0/8 to the
 * loopback device, so each peer can have its own IP. Peers are laid out group by group: `peersPerGroup`
 * consecutive peers share one /16 network group (the fourth octet tells them apart), and the second
 * octet varies fastest between groups so that the first 254 groups are 254 different /16s, as peers on
 * the real internet mostly would be. 127.0.x.x is left to the node under test and the loopback DNS seed.
 */
const SECOND_OCTETS = 254 // 1..254
const THIRD_OCTETS = 256 // 0..255
/** Peers of one group differ in the fourth octet, 1..254. */
export const MAX_PEERS_PER_GROUP = 254
export const MAX_SIM_GROUPS = SECOND_OCTETS * THIRD_OCTETS
/** With one peer per group (the default). */
export const MAX_SIM_PEERS = MAX_SIM_GROUPS

/** The IPv4 host of the peer with this index when `peersPerGroup` peers share each /16. */
export function simHost (index: number, peersPerGroup = 1): string {
  if (!Number.isInteger(peersPerGroup) || peersPerGroup < 1 || peersPerGroup > MAX_PEERS_PER_GROUP) {
    throw new SimConfigError(`sim peers per group must be 1-${MAX_PEERS_PER_GROUP}, not ${peersPerGroup}`)
  }
  const max = MAX_SIM_GROUPS * peersPerGroup
  if (!Number.isInteger(index) || index < 0 || index >= max) {
    throw new SimConfigError(`sim peer index ${index} is out of range (0-${max - 1})`)
  }
  const group = Math.floor(index / peersPerGroup)
  return `127.${1 + (group % SECOND_OCTETS)}.${Math.floor(group / SECOND_OCTETS)}.${1 + (index % peersPerGroup)}`
}
