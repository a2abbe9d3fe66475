import type { Resolver } from '../discovery/resolver.ts'
import type { LoggerFactory } from '../log/logger.ts'
import { createDialer } from '../transport/create-dialer.ts'
import type { Dialer } from '../transport/dialer.ts'
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../transport/tcp-dialer.ts'
import type { Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { NodeConfig } from './config.ts'

/** The dialer a config asks for: direct TCP, or SOCKS5 through its proxy (and onion proxy). */
export function defaultDialer (config: NodeConfig, c: { clock: Clock, random: Random, logging: LoggerFactory }, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Dialer {
  return createDialer({ clock: c.clock, random: c.random, logger: c.logging.subsystem('PROXY') }, { ...config.transport, connectTimeoutMs })
}

/**
 * The resolver a config asks for: Tor RESOLVE with a proxy (never clear DNS), else its DNS servers. Its
 * code (and dns2) is loaded at the first name to resolve: with --nodnsseed and IP peers, never.
 */
export function defaultResolver (config: NodeConfig, c: { clock: Clock, random: Random }): Resolver {
  let loading: Promise<Resolver> | undefined
  return {
    resolve: async (host, options) => {
      loading ??= import('../discovery/name-resolver.ts').then((m) => m.createNameResolver(c, { ...config.transport, dnsServers: config.names.dnsServers }).resolver)
      return await (await loading).resolve(host, options)
    }
  }
}
