import { DialError, NamedError } from '../util/errors.ts'
/** The connect timeout of a dial passed before the peer (or the proxy) answered. */
export class DialTimeoutError extends DialError {
  readonly timeoutMs: number
  constructor (target: string, timeoutMs: number) {
    super(`connecting to ${target} timed out after ${timeoutMs} ms`)
    this.timeoutMs = timeoutMs
  }
}

/** The SOCKS5 proxy could not be reached, refused the request, broke the protocol or went silent. */
export class ProxyError extends DialError {
  /** The proxy as HOST:PORT, so logs say which one failed. */
  readonly proxy: string
  constructor (proxy: string, message: string, options?: { cause?: unknown }) {
    super(`proxy ${proxy}: ${message}`, options)
    this.proxy = proxy
  }
}

/** A .onion destination while the noOnion option (--noonion) is set. */
export class OnionDisabledError extends DialError {
  constructor (target: string) {
    super(`refusing to dial ${target}: Tor (.onion) connections are disabled (noOnion)`)
  }
}

/** No configured route reaches this kind of address (e.g. .onion without a proxy, I2P). */
export class UnreachableNetworkError extends DialError {
  constructor (target: string, why: string) {
    super(`cannot dial ${target}: ${why}`)
  }
}

/** Dialer options that contradict each other; the message names the options. */
export class DialerConfigError extends NamedError {}

/** The stream ended (or failed) before a read had all its bytes. */
export class EndOfStreamError extends NamedError {
  readonly received: number
  readonly wanted: number
  constructor (received: number, wanted: number, cause?: Error) {
    super(`connection closed after ${received} of ${wanted} expected bytes${cause === undefined ? '' : ` (${cause.message})`}`, { cause })
    this.received = received
    this.wanted = wanted
  }
}
