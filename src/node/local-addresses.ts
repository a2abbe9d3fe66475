import type { ListenAddress } from '../inbound/listener.ts'
import { addrKey, toNetAddress, type NetAddress } from '../netaddr/netaddress.ts'

/** Bind hosts that name no address of ours in particular. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::'])

/**
 * Our own addresses (Core's mapLocalHost and IsLocal): automatic outbound connections and feelers never
 * pick one, since a dial to ourselves only ends in the far side's self-connection refusal and a failed
 * attempt against an address peers gossip back to us. Matched by address and port, not by IP alone as
 * Core does: several nodes on one host (and every loopback setup) are peers of one another.
 */
export class LocalAddresses {
  readonly #keys = new Set<string>()

  constructor (known: Iterable<NetAddress>) {
    for (const addr of known) this.add(addr)
  }

  /** An address we learned is ours (how a peer sees us, with our listening port). */
  add (addr: { host: string, port: number }): void {
    this.#keys.add(addrKey(addr))
  }

  has (addr: NetAddress): boolean {
    return this.#keys.has(addrKey(addr))
  }
}

/** The addresses the config names as ours: --externalip, and each --listen bound to a specific address. */
export function configuredLocalAddresses (externalIps: readonly NetAddress[], listen: readonly ListenAddress[]): NetAddress[] {
  const bound = listen.flatMap((l) => {
    const addr = l.host === undefined || WILDCARD_HOSTS.has(l.host) ? undefined : toNetAddress(l.host, l.port)
    return addr === undefined ? [] : [addr]
  })
  return [...externalIps, ...bound]
}
