import { addrKey, type HostPort } from '../netaddr/netaddress.ts'
import type { TransportOptions } from '../transport/create-dialer.ts'
import { proxyCredentials } from '../transport/socks-dialer.ts'
import type { Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import { createDnsResolver } from './dns-resolver.ts'
import type { Resolver } from './resolver.ts'
import { createTorResolver } from './tor-resolver.ts'

export interface NameResolverOptions extends Pick<TransportOptions, 'proxy' | 'proxyUser' | 'proxyPass' | 'torIsolation'> {
  /** --dnsserver; empty = the system's. Unused when a proxy is set. */
  dnsServers?: readonly HostPort[]
  timeoutMs?: number
}

export interface NameResolver {
  readonly resolver: Resolver
  /** "tor via 127.0.0.1:9050" or "dns via 192.0.2.53:53": for logs and the seed command. */
  readonly via: string
  /** Set when the system DNS fallback (127.0.0.1:53) is in use, with why. */
  readonly fallback?: string
}

/**
 * The no-leak rule: with --proxy every name (DNS seeds, --addpeer names) is resolved by Tor's RESOLVE
 * through that proxy, never by clear DNS. (bcoin leaked seed names to the system resolver here; btcd did
 * with --noonion.) Without a proxy, clear DNS; --onion alone leaves other traffic, names included, clear.
 */
export function createNameResolver (components: { clock: Clock, random: Random }, options: NameResolverOptions): NameResolver {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }
  if (options.proxy !== undefined) {
    const given = proxyCredentials(options.proxyUser, options.proxyPass)
    const credentials = given === undefined ? {} : { credentials: given }
    const resolver = createTorResolver({ proxy: options.proxy, torIsolation: options.torIsolation ?? false, ...credentials, ...timeout, ...components })
    return { resolver, via: `tor via ${addrKey(options.proxy)}` }
  }
  const dns = createDnsResolver({ ...(options.dnsServers === undefined ? {} : { servers: options.dnsServers }), ...timeout, ...components })
  return { resolver: dns, via: `dns via ${dns.servers.map(addrKey).join(', ')}`, ...(dns.fallback === undefined ? {} : { fallback: dns.fallback }) }
}
