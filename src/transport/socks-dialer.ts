import type { Socket } from 'node:net'
import { addrKey, type HostPort, type NetAddress } from '../netaddr/netaddress.ts'
import { anySignal, clockTimeoutSignal, type Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import { connectTcp, raceAbort } from './connect-tcp.ts'
import type { Dialer, DialOptions } from './dialer.ts'
import { ProxyError } from './errors.ts'

/** Tor's SOCKS port: the usual value of --proxy and --onion, and the port a bare proxy host gets. */
export const DEFAULT_PROXY_PORT = 9050

/** Through Tor a connect includes building a circuit, which takes seconds, so proxies get longer than TCP. */
export const DEFAULT_PROXY_CONNECT_TIMEOUT_MS = 30_000

/** SOCKS5 username/password (RFC 1929). Tor does not check them; it isolates streams by them. */
export interface ProxyCredentials {
  readonly username: string
  readonly password: string
}

/** Bytes of randomness in each isolation username and password: enough that two never collide. */
const ISOLATION_CREDENTIAL_BYTES = 8

export interface SocksDialerComponents {
  clock: Clock
  random: Random
}

export interface SocksDialerInit {
  proxy: HostPort
  credentials?: ProxyCredentials
  /** Fresh random credentials for every connection, so Tor puts each on its own circuit. */
  torIsolation?: boolean
  /** Covers reaching the proxy and its whole SOCKS5 exchange. @default DEFAULT_PROXY_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number
}

/** Credentials from --proxyuser/--proxypass-style options; undefined when neither is given. */
export function proxyCredentials (user: string | undefined, pass: string | undefined): ProxyCredentials | undefined {
  return user === undefined && pass === undefined ? undefined : { username: user ?? '', password: pass ?? '' }
}

/** Random credentials for one connection (Tor stream isolation). */
export function isolationCredentials (random: Random): ProxyCredentials {
  const hex = (): string => Buffer.from(random.bytes(ISOLATION_CREDENTIAL_BYTES)).toString('hex')
  return { username: hex(), password: hex() }
}

/**
 * Dials through a SOCKS5 proxy with the `socks` package. A .onion destination is sent as a name
 * (ATYP 3) so the proxy, i.e. Tor, resolves it; nothing is ever looked up locally.
 */
export class SocksDialer implements Dialer {
  readonly #clock: Clock
  readonly #random: Random
  readonly #proxy: HostPort
  readonly #credentials: ProxyCredentials | undefined
  readonly #torIsolation: boolean
  readonly #connectTimeoutMs: number

  constructor (components: SocksDialerComponents, init: SocksDialerInit) {
    this.#clock = components.clock
    this.#random = components.random
    this.#proxy = init.proxy
    this.#credentials = init.credentials
    this.#torIsolation = init.torIsolation ?? false
    this.#connectTimeoutMs = init.connectTimeoutMs ?? DEFAULT_PROXY_CONNECT_TIMEOUT_MS
  }

  async dial (addr: NetAddress, options: DialOptions): Promise<Socket> {
    // `socks` is loaded at the first proxied dial (before any socket is open): without a proxy it never is.
    const { SocksClient } = await import('socks')
    const proxyName = addrKey(this.#proxy)
    const target = addrKey(addr)
    const ms = this.#connectTimeoutMs
    const timeout = clockTimeoutSignal(this.#clock, ms, () =>
      new ProxyError(proxyName, `no SOCKS5 connection to ${target} within ${ms} ms (the proxy stalled)`))
    const signal = anySignal([options.signal, timeout.signal])
    let socket: Socket | undefined
    try {
      try {
        socket = await connectTcp(this.#proxy.host, this.#proxy.port, signal.signal)
      } catch (err) {
        if (signal.signal.aborted) throw err
        throw new ProxyError(proxyName, `unreachable (${(err as Error).message})`, { cause: err })
      }
      const credentials = this.#torIsolation ? isolationCredentials(this.#random) : this.#credentials
      const proxySocket = socket
      const established = SocksClient.createConnection({
        command: 'connect',
        proxy: {
          host: this.#proxy.host,
          port: this.#proxy.port,
          type: 5,
          ...(credentials === undefined ? {} : { userId: credentials.username, password: credentials.password })
        },
        destination: { host: addr.host, port: addr.port },
        existing_socket: proxySocket,
        // Our clock-driven timeout governs; this only stops `socks` from applying its own 30 s default first.
        timeout: ms + 1
      })
      try {
        await raceAbort(established, signal.signal, () => { proxySocket.destroy() })
      } catch (err) {
        if (signal.signal.aborted) throw err
        throw new ProxyError(proxyName, `could not connect to ${target}: ${(err as Error).message}`, { cause: err })
      }
      return proxySocket
    } catch (err) {
      socket?.destroy()
      throw err
    } finally {
      timeout.clear()
      signal.clear()
    }
  }
}
