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

export type TransportOptionName = keyof Omit<TransportOptions, 'connectTimeoutMs'>

/**
 * The first contradiction in the options, or undefined when they fit together. `name` words each option
 * as the caller's user knows it (the CLI passes its flag names); by default the option's own name.
 * The CLI turns the problem into a usage error; createDialer throws it as a DialerConfigError.
 */
export function transportOptionsProblem (
  o: Omit<TransportOptions, 'connectTimeoutMs'>,
  name: (option: TransportOptionName) => string = (option) => option
): string | undefined {
  if (o.noOnion === true && o.onion !== undefined) return `${name('onion')} cannot be combined with ${name('noOnion')}`
  if (o.torIsolation === true && o.proxy === undefined && o.onion === undefined) return `${name('torIsolation')} needs ${name('proxy')} or ${name('onion')}`
  const credentials: Array<[TransportOptionName, string | undefined, HostPort | undefined, TransportOptionName]> = [
    ['proxyUser', o.proxyUser, o.proxy, 'proxy'], ['proxyPass', o.proxyPass, o.proxy, 'proxy'],
    ['onionUser', o.onionUser, o.onion, 'onion'], ['onionPass', o.onionPass, o.onion, 'onion']
  ]
  for (const [option, value, proxy, needs] of credentials) {
    if (value === undefined) continue
    if (proxy === undefined) return `${name(option)} needs ${name(needs)}`
    if (Buffer.byteLength(value) > MAX_CREDENTIAL_BYTES) return `${name(option)}: at most ${MAX_CREDENTIAL_BYTES} bytes (SOCKS5 limit)`
    if (o.torIsolation === true) return `${name(option)} cannot be combined with ${name('torIsolation')} (isolation picks random credentials)`
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
      if (this.#onion === undefined) throw new UnreachableNetworkError(addrKey(addr), 'a .onion address needs a Tor SOCKS proxy (the onion or proxy option)')
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
