import { NamedError } from '../util/errors.ts'
/** The name does not exist (NXDOMAIN): authoritative, so other servers are not waited for. */
export class DnsNameError extends NamedError {
  constructor (name: string, server: string) {
    super(`${name}: no such name (NXDOMAIN from ${server})`)
  }
}

/** The server answered with a failure code (SERVFAIL, REFUSED, …). */
export class DnsServerError extends NamedError {
  readonly rcode: number
  constructor (name: string, server: string, rcode: number, rcodeName: string) {
    super(`${name}: ${server} answered ${rcodeName} (rcode ${rcode})`)
    this.rcode = rcode
  }
}

/** The server's answer to our query could not be decoded or answers another question. */
export class DnsMalformedResponseError extends NamedError {
  constructor (name: string, server: string, detail: string) {
    super(`${name}: malformed answer from ${server} (${detail})`)
  }
}

/** A name a DNS query cannot carry (dns-question.ts): not ASCII, an empty label, a label or the whole too long. */
export class DnsNameFormatError extends NamedError {
  constructor (name: string, detail: string) {
    super(`"${name}" is not a DNS name: ${detail}`)
  }
}

/** A DNS message that does not decode (dns-answer.ts); the query reports it as DnsMalformedResponseError. */
export class DnsAnswerFormatError extends NamedError {}

/** No server answered within the query's time limit. */
export class DnsTimeoutError extends NamedError {
  constructor (name: string, type: string, servers: string, timeoutMs: number) {
    super(`${name}: no ${type} answer from ${servers} within ${timeoutMs} ms`)
  }
}

/** Every server failed, each for its own reason (all listed). */
export class DnsQueryError extends NamedError {}
/**
 * Tor's SOCKS5 reply codes 0x00-0x08 with btcd's wording (connmgr/tor.go), so logs read the same.
 * Tor uses 0x04 for a name it could not resolve.
 */
export const TOR_STATUS_MESSAGES: readonly string[] = [
  'tor succeeded',
  'tor general error',
  'tor not allowed',
  'tor network is unreachable',
  'tor host is unreachable',
  'tor connection refused',
  'tor TTL expired',
  'tor command not supported',
  'tor address type not supported'
]

/** Tor answered the RESOLVE with one of the known failure codes (0x01-0x08). */
export class TorStatusError extends NamedError {
  readonly status: number
  constructor (status: number, host: string) {
    super(`${TOR_STATUS_MESSAGES[status] ?? 'tor unknown status'} (SOCKS5 status 0x${status.toString(16).padStart(2, '0')}) resolving ${host}`)
    this.status = status
  }
}

/** The proxy's reply broke the protocol (wrong version, unknown status code, bad reserved byte, EOF). */
export class TorInvalidProxyResponseError extends NamedError {
  /** The reply's status byte when that was what was wrong (a code above 0x08). */
  readonly status: number | undefined
  constructor (detail: string, status?: number) {
    super(`invalid proxy response: ${detail}`)
    this.status = status
  }
}

/** The reply said success but its address part was missing, short or of an unusable type. */
export class TorInvalidAddressResponseError extends NamedError {
  constructor (detail: string) {
    super(`invalid address response: ${detail}`)
  }
}

/** The proxy picked an authentication method we did not offer (0xff: none acceptable). */
export class TorUnrecognizedAuthMethodError extends NamedError {
  readonly method: number
  constructor (method: number) {
    super(`invalid proxy authentication method: 0x${method.toString(16).padStart(2, '0')}${method === 0xff ? ' (no acceptable method: does the proxy want credentials?)' : ''}`)
    this.method = method
  }
}

/** The proxy rejected the username/password (RFC 1929 status other than 0). */
export class TorAuthFailedError extends NamedError {
  readonly status: number
  constructor (status: number) {
    super(`proxy rejected the username/password (status 0x${status.toString(16).padStart(2, '0')})`)
    this.status = status
  }
}

/** A request that SOCKS5 cannot carry: refused before anything is sent. */
export class TorRequestError extends NamedError {}

/** The proxy could not be reached at all. */
export class TorProxyUnreachableError extends NamedError {
  constructor (proxy: string, cause: Error) {
    super(`cannot reach the Tor proxy ${proxy}: ${cause.message}`, { cause })
  }
}

/** No complete answer within the lookup's time limit. */
export class TorTimeoutError extends NamedError {
  constructor (host: string, proxy: string, timeoutMs: number) {
    super(`no answer from the Tor proxy ${proxy} for ${host} within ${timeoutMs} ms`)
  }
}

export class SeedTimeoutError extends NamedError {
  constructor (queried: string, timeoutMs: number) {
    super(`no answer for ${queried} within ${timeoutMs} ms`)
  }
}
