import type { Socket } from 'node:net'
import type { Logger } from '../log/logger.ts'
import { addrKey, type HostPort, type NetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { Dialer, DialOptions } from './dialer.ts'
import { DialerConfigError, OnionDisabledError, UnreachableNetworkError } from './errors.ts'
import { DEFAULT_PROXY_CONNECT_TIMEOUT_MS, proxyCredentials, SocksDialer } from './socks-dialer.ts'
import { TcpDialer } from './tcp-dialer.ts'

/** RFC 1929 carries each credential behind a one-byte length. */
const MAX_CREDENTIAL_BYTES = 255

/** How outbound connections travel; the names follow the command-line flags. */
export interface TransportOptions {
  /** Direct TCP connects. */
  connectTimeoutMs: number
  /** Connects through a SOCKS5 proxy (--proxy, --onion). @default DEFAULT_PROXY_CONNECT_TIMEOUT_MS */
  proxyConnectTimeoutMs?: number
  /** --proxy: every connection goes through this SOCKS5 proxy. */
  proxy?: HostPort
  proxyUser?: string
  proxyPass?: string
  /** --onion: .onion destinations go through this SOCKS5 proxy (default: --proxy). */
  onion?: HostPort
  onionUser?: string
  onionPass?: string
  /** --noonion: refuse .onion destinations. */
  noOnion?: boolean
  /** --torisolation: random proxy credentials per connection. */
  torIsolation?: boolean
}

export interface CreateDialerComponents {
  clock: Clock
  random: Random
  /** The PROXY subsystem logger. */
  logger: Logger
}

/**
 * The first contradiction in the options, worded with the flags' names, or undefined when they fit
 * together. The CLI turns it into a usage error; createDialer throws it as a DialerConfigError.
 */
export function transportOptionsProblem (o: Omit<TransportOptions, 'connectTimeoutMs'>): string | undefined {
  if (o.noOnion === true && o.onion !== undefined) return '--onion cannot be combined with --noonion'
  if (o.torIsolation === true && o.proxy === undefined && o.onion === undefined) return '--torisolation needs --proxy or --onion'
  const credentials: Array<[string, string | undefined, HostPort | undefined, string]> = [
    ['proxyuser', o.proxyUser, o.proxy, 'proxy'], ['proxypass', o.proxyPass, o.proxy, 'proxy'],
    ['onionuser', o.onionUser, o.onion, 'onion'], ['onionpass', o.onionPass, o.onion, 'onion']
  ]
  for (const [flag, value, proxy, needs] of credentials) {
    if (value === undefined) continue
    if (proxy === undefined) return `--${flag} needs --${needs}`
    if (Buffer.byteLength(value) > MAX_CREDENTIAL_BYTES) return `--${flag}: at most ${MAX_CREDENTIAL_BYTES} bytes (SOCKS5 limit)`
    if (o.torIsolation === true) return `--${flag} cannot be combined with --torisolation (isolation picks random credentials)`
  }
  return undefined
}

/**
 * Routes each dial like btcd's server: .onion through --onion (else --proxy), or refused with
 * --noonion; everything else through --proxy, or plain TCP. .onion names are never resolved locally.
 */
class RoutingDialer implements Dialer {
  readonly #logger: Logger
  readonly #direct: Dialer
  readonly #onion: Dialer | undefined
  readonly #noOnion: boolean

  constructor (logger: Logger, direct: Dialer, onion: Dialer | undefined, noOnion: boolean) {
    this.#logger = logger
    this.#direct = direct
    this.#onion = onion
    this.#noOnion = noOnion
  }

  async dial (addr: NetAddress, options: DialOptions): Promise<Socket> {
    if (addr.network === 'torv3') {
      if (this.#noOnion) throw new OnionDisabledError(addrKey(addr))
      if (this.#onion === undefined) throw new UnreachableNetworkError(addrKey(addr), 'a .onion address needs --onion or --proxy (a Tor SOCKS port)')
      this.#logger.debug('dialing through the onion proxy', { peer: addrKey(addr) })
      return await this.#onion.dial(addr, options)
    }
    if (addr.network === 'i2p') throw new UnreachableNetworkError(addrKey(addr), 'I2P is not supported')
    return await this.#direct.dial(addr, options)
  }
}

export function createDialer (components: CreateDialerComponents, options: TransportOptions): Dialer {
  const problem = transportOptionsProblem(options)
  if (problem !== undefined) throw new DialerConfigError(problem)
  const { clock, random, logger } = components
  const proxyTimeoutMs = options.proxyConnectTimeoutMs ?? DEFAULT_PROXY_CONNECT_TIMEOUT_MS
  const torIsolation = options.torIsolation ?? false
  const viaProxy = options.proxy === undefined
    ? undefined
    : new SocksDialer({ clock, random }, { proxy: options.proxy, credentials: proxyCredentials(options.proxyUser, options.proxyPass), torIsolation, connectTimeoutMs: proxyTimeoutMs })
  const viaOnion = options.onion === undefined
    ? viaProxy
    : new SocksDialer({ clock, random }, { proxy: options.onion, credentials: proxyCredentials(options.onionUser, options.onionPass), torIsolation, connectTimeoutMs: proxyTimeoutMs })
  const direct = viaProxy ?? new TcpDialer({ clock }, { connectTimeoutMs: options.connectTimeoutMs })
  return new RoutingDialer(logger, direct, viaOnion, options.noOnion ?? false)
}
