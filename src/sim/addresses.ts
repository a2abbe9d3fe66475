import { SimConfigError } from './errors.ts'

/**
 * Where simulated peers live: 127.<second>.<third>.1. Linux routes all of 127.0.0.0/8 to the loopback
 * device, so each peer can have its own IP. The second octet varies fastest so that the first 254 peers
 * fall in 254 different /16 network groups, as peers on the real internet would. 127.0.x.x is left to
 * the node under test and the loopback DNS seed.
 */
const SECOND_OCTETS = 254 // 1..254
const THIRD_OCTETS = 256 // 0..255
export const MAX_SIM_PEERS = SECOND_OCTETS * THIRD_OCTETS

/** The IPv4 host of the peer with this index. */
export function simHost (index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_SIM_PEERS) {
    throw new SimConfigError(`sim peer index ${index} is out of range (0-${MAX_SIM_PEERS - 1})`)
  }
  return `127.${1 + (index % SECOND_OCTETS)}.${Math.floor(index / SECOND_OCTETS)}.1`
}
