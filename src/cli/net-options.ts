import type { Options } from 'yargs'
import { loadChainParams, loadNetwork, NETWORK_NAMES, type ChainParams } from '../chainparams/chainparams.ts'
import { DNS_PORT, RESOLV_CONF_PATH } from '../discovery/resolv-conf.ts'
import { isIPText } from '../netaddr/ip-text.ts'
import { parseHostPort, type HostPort } from '../netaddr/netaddress.ts'
import { transportOptionsProblem, type TransportOptions } from '../transport/create-dialer.ts'
import { DEFAULT_PROXY_PORT } from '../transport/socks-dialer.ts'
import { UsageError } from '../util/errors.ts'
import type { FlagValues } from './config-file.ts'
import { withFlag } from './errors.ts'

/**
 * Flags shared by the commands that pick a network, resolve names or go through a proxy (seed, resolve,
 * run): one definition and one parser each. No flag has a yargs default, so an absent flag stays absent
 * (run layers a config file and environment variables under the flags).
 */
export const DEFAULT_NETWORK = 'mainnet'

export const NETWORK_FLAGS = {
  network: { type: 'string', group: 'Network:', describe: NETWORK_NAMES.join(', '), defaultDescription: DEFAULT_NETWORK },
  chainparams: { type: 'string', group: 'Network:', describe: 'a custom network\'s chainparams JSON file (instead of --network)' }
} as const satisfies Record<string, Options>

export const DNS_FLAGS = {
  dnsserver: { type: 'string', array: true, requiresArg: true, group: 'Names:', describe: 'DNS server IP[:PORT] for seeding and names (repeatable)', defaultDescription: RESOLV_CONF_PATH }
} as const satisfies Record<string, Options>

export const PROXY_FLAGS = {
  proxy: { type: 'string', group: 'Tor and proxies:', describe: 'SOCKS5 proxy HOST[:PORT] for every connection; names are resolved through it (Tor RESOLVE), never by clear DNS' },
  proxyuser: { type: 'string', group: 'Tor and proxies:', describe: 'username for --proxy' },
  proxypass: { type: 'string', group: 'Tor and proxies:', describe: 'password for --proxy' }
} as const satisfies Record<string, Options>

export const ONION_FLAGS = {
  onion: { type: 'string', group: 'Tor and proxies:', describe: 'SOCKS5 proxy HOST[:PORT] for .onion peers', defaultDescription: '--proxy' },
  noonion: { type: 'boolean', group: 'Tor and proxies:', describe: 'refuse .onion peers' },
  torisolation: { type: 'boolean', group: 'Tor and proxies:', describe: 'random proxy credentials per connection (Tor stream isolation)' }
} as const satisfies Record<string, Options>

export type NetworkFlags = FlagValues<typeof NETWORK_FLAGS>
export type ProxyFlags = FlagValues<typeof PROXY_FLAGS>
export type OnionFlags = FlagValues<typeof ONION_FLAGS>

/** --network or --chainparams (not both) as ChainParams; errors name the flag. */
export function chainParamsFromFlags (flags: NetworkFlags): ChainParams {
  if (flags.chainparams !== undefined && flags.network !== undefined) {
    throw new UsageError('--chainparams and --network cannot be combined (the file names its network)')
  }
  const { chainparams } = flags
  return chainparams !== undefined
    ? withFlag('--chainparams', () => loadChainParams(chainparams))
    : withFlag('--network', () => loadNetwork(flags.network ?? DEFAULT_NETWORK))
}

/**
 * --dnsserver values: IP literals (a server named by host name would need DNS to be found), port 53 by
 * default. Refused with --proxy: names then go through the proxy (Tor RESOLVE), never by clear DNS, so
 * the server would never be asked (seed and run alike).
 */
export function dnsServersFromFlags (values: readonly string[] | undefined, transport: { proxy?: HostPort } = {}): HostPort[] {
  if (transport.proxy !== undefined && (values ?? []).length > 0) {
    throw new UsageError('--dnsserver cannot be combined with --proxy (names are resolved through the proxy, never by clear DNS)')
  }
  return (values ?? []).map((value) => {
    const server = withFlag('--dnsserver', () => parseHostPort(value, DNS_PORT))
    if (!isIPText(server.host)) throw new UsageError(`--dnsserver: "${value}" is not an IP address (expected IP[:PORT])`)
    return server
  })
}

/**
 * TransportOptions (all but the connect timeout) from --proxy/--proxyuser/--proxypass/--onion/--noonion/
 * --torisolation, checked together: a contradiction is a UsageError naming the flags (an option's flag is
 * its name in lower case).
 */
export function transportFromFlags (flags: ProxyFlags & OnionFlags): Omit<TransportOptions, 'connectTimeoutMs'> {
  const { proxy, onion } = flags
  const options: Omit<TransportOptions, 'connectTimeoutMs'> = {
    ...(proxy === undefined ? {} : { proxy: withFlag('--proxy', () => parseHostPort(proxy, DEFAULT_PROXY_PORT)) }),
    ...(flags.proxyuser === undefined ? {} : { proxyUser: flags.proxyuser }),
    ...(flags.proxypass === undefined ? {} : { proxyPass: flags.proxypass }),
    ...(onion === undefined ? {} : { onion: withFlag('--onion', () => parseHostPort(onion, DEFAULT_PROXY_PORT)) }),
    ...(flags.noonion === true ? { noOnion: true } : {}),
    ...(flags.torisolation === true ? { torIsolation: true } : {})
  }
  const problem = transportOptionsProblem(options, (option) => `--${option.toLowerCase()}`)
  if (problem !== undefined) throw new UsageError(problem)
  return options
}

/** A --timeout-style value in milliseconds: a positive integer. */
export function positiveMsFromFlag (value: number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`--${flag}: expected a positive number of milliseconds, got ${String(value)}`)
  return value
}
