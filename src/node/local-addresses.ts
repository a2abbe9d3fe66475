import type { ListenAddress } from '../inbound/listener.ts'
import { addrKey, toNetAddress, type NetAddress } from '../netaddr/netaddress.ts'

/** Bind hosts that name no address of ours in particular. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::'])
/** Core's scores for where a local address came from (LOCAL_BIND, LOCAL_MANUAL); a peer's view adds 1 each time. */
export const LOCAL_SCORE_BIND = 2
export const LOCAL_SCORE_MANUAL = 4

export interface LocalAddress {
  readonly addr: NetAddress
  /** How sure we are it is ours: Core's score (getnetworkinfo's `localaddresses`). */
  readonly score: number
}

/**
 * Our own addresses (Core's mapLocalHost and IsLocal): automatic outbound connections and feelers never
 * pick one, since a dial to ourselves only ends in the far side's self-connection refusal and a failed
 * attempt against an address peers gossip back to us. Matched by address and port, not by IP alone as
 * Core does: several nodes on one host (and every loopback setup) are peers of one another.
 */
export class LocalAddresses {
  readonly #entries = new Map<string, { addr: NetAddress, score: number }>()

  constructor (known: Iterable<LocalAddress>) {
    for (const { addr, score } of known) this.#entries.set(addrKey(addr), { addr, score })
  }

  /** A peer saw us at `addr` (with our listening port) and we announced it: one more vote that it is ours. */
  seen (addr: NetAddress): void {
    const entry = this.#entries.get(addrKey(addr))
    if (entry === undefined) this.#entries.set(addrKey(addr), { addr, score: 1 })
    else entry.score++
  }

  has (addr: NetAddress): boolean {
    return this.#entries.has(addrKey(addr))
  }

  list (): LocalAddress[] {
    return [...this.#entries.values()].map((e) => ({ ...e }))
  }
}

/** The addresses the config names as ours: --externalip, and each --listen bound to an address. */
export function configuredLocalAddresses (externalIps: readonly NetAddress[], listen: readonly ListenAddress[]): LocalAddress[] {
  const bound = listen.flatMap((l) => {
    const addr = l.host === undefined || WILDCARD_HOSTS.has(l.host) ? undefined : toNetAddress(l.host, l.port)
    return addr === undefined ? [] : [{ addr, score: LOCAL_SCORE_BIND }]
  })
  return [...externalIps.map((addr) => ({ addr, score: LOCAL_SCORE_MANUAL })), ...bound]
}
