import type { HostPort } from '../netaddr/netaddress.ts'
import { isolationCredentials, type ProxyCredentials } from '../transport/socks-dialer.ts'
import { systemClock, type Clock } from '../util/clock.ts'
import { systemRandom, type Random } from '../util/random.ts'
import type { Resolver } from './resolver.ts'
import { torLookupIP } from './tor-resolve.ts'

export interface TorResolverInit {
  proxy: HostPort
  credentials?: ProxyCredentials
  /** Fresh random credentials per lookup (--torisolation), like the dialer's connections. */
  torIsolation?: boolean
  /** @default TOR_RESOLVE_TIMEOUT_MS */
  timeoutMs?: number
  clock?: Clock
  random?: Random
}

/** Resolves names with Tor's SOCKS5 RESOLVE: the name never appears in clear DNS. */
export function createTorResolver (init: TorResolverInit): Resolver {
  const clock = init.clock ?? systemClock
  const random = init.random ?? systemRandom
  return {
    resolve: async (host, options) => await torLookupIP(host, init.proxy, {
      credentials: init.torIsolation === true ? isolationCredentials(random) : init.credentials,
      clock,
      signal: options.signal,
      ...(init.timeoutMs === undefined ? {} : { timeoutMs: init.timeoutMs })
    })
  }
}
