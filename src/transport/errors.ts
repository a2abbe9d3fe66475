/** The connect timeout of a dial passed before the peer (or the proxy) answered. */
export class DialTimeoutError extends Error {
  static override name = 'DialTimeoutError'
  readonly timeoutMs: number
  constructor (target: string, timeoutMs: number) {
    super(`connecting to ${target} timed out after ${timeoutMs} ms`)
    this.name = 'DialTimeoutError'
    this.timeoutMs = timeoutMs
  }
}

/** The SOCKS5 proxy could not be reached, refused the request, broke the protocol or went silent. */
export class ProxyError extends Error {
  static override name = 'ProxyError'
  /** The proxy as HOST:PORT, so logs say which one failed. */
  readonly proxy: string
  constructor (proxy: string, message: string, options?: { cause?: unknown }) {
    super(`proxy ${proxy}: ${message}`, options)
    this.name = 'ProxyError'
    this.proxy = proxy
  }
}

/** A .onion destination while --noonion is set. */
export class OnionDisabledError extends Error {
  static override name = 'OnionDisabledError'
  constructor (target: string) {
    super(`refusing to dial ${target}: Tor (.onion) connections are disabled by --noonion`)
    this.name = 'OnionDisabledError'
  }
}

/** No configured route reaches this kind of address (e.g. .onion without a proxy, I2P). */
export class UnreachableNetworkError extends Error {
  static override name = 'UnreachableNetworkError'
  constructor (target: string, why: string) {
    super(`cannot dial ${target}: ${why}`)
    this.name = 'UnreachableNetworkError'
  }
}

/** Dialer options that contradict each other; the message names the flags. */
export class DialerConfigError extends Error {
  static override name = 'DialerConfigError'
  constructor (message: string) {
    super(message)
    this.name = 'DialerConfigError'
  }
}
