import { isIPText } from '../netaddr/ip-text.ts'
import type { HostPort } from '../netaddr/netaddress.ts'
import { systemClock, type Clock } from '../util/clock.ts'
import { systemRandom, type Random } from '../util/random.ts'
import { DnsQueryError } from './errors.ts'
import { DNS_QUERY_TIMEOUT_MS, queryDns } from './dns-query.ts'
import { readSystemDnsServers } from './resolv-conf.ts'
import type { Resolver } from './resolver.ts'

export interface DnsResolverInit {
  /** --dnsserver values. @default the nameservers of /etc/resolv.conf */
  servers?: readonly HostPort[]
  /** Per query (A and AAAA run side by side). @default DNS_QUERY_TIMEOUT_MS */
  timeoutMs?: number
  clock?: Clock
  /** Query ids; must be unpredictable outside tests. @default systemRandom */
  random?: Random
}

/**
 * Clear-text DNS over UDP to the configured servers: A and AAAA together. An IP literal is returned
 * as is. Fails only when both record types fail; the message then names each reason.
 */
export class DnsResolver implements Resolver {
  readonly servers: readonly HostPort[]
  /** Why the system fallback (127.0.0.1:53) is in use, when it is: the caller logs it. */
  readonly fallback: string | undefined
  readonly #timeoutMs: number
  readonly #clock: Clock
  readonly #random: Random

  constructor (init: DnsResolverInit = {}) {
    if (init.servers !== undefined && init.servers.length > 0) {
      this.servers = init.servers
      this.fallback = undefined
    } else {
      const system = readSystemDnsServers()
      this.servers = system.servers
      this.fallback = system.fallback
    }
    this.#timeoutMs = init.timeoutMs ?? DNS_QUERY_TIMEOUT_MS
    this.#clock = init.clock ?? systemClock
    this.#random = init.random ?? systemRandom
  }

  async resolve (host: string, options: { signal: AbortSignal }): Promise<string[]> {
    if (isIPText(host)) return [host]
    const ctx = { clock: this.#clock, random: this.#random, signal: options.signal, timeoutMs: this.#timeoutMs }
    const [a, aaaa] = await Promise.allSettled([
      queryDns(host, 'A', this.servers, ctx),
      queryDns(host, 'AAAA', this.servers, ctx)
    ])
    if (a.status === 'rejected' && aaaa.status === 'rejected') {
      const ea = a.reason as Error
      const eaaaa = aaaa.reason as Error
      // The same error twice (a shared abort reason, NXDOMAIN) reads better once.
      if (ea === eaaaa || ea.message === eaaaa.message) throw ea
      throw new DnsQueryError(`A: ${ea.message}; AAAA: ${eaaaa.message}`)
    }
    return [...(a.status === 'fulfilled' ? a.value : []), ...(aaaa.status === 'fulfilled' ? aaaa.value : [])]
  }
}

/** The clear-DNS resolver (see DnsResolver). */
export function createDnsResolver (init: DnsResolverInit = {}): DnsResolver {
  return new DnsResolver(init)
}
