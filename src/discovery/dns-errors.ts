/** The name does not exist (NXDOMAIN): authoritative, so other servers are not waited for. */
export class DnsNameError extends Error {
  static override name = 'DnsNameError'
  constructor (name: string, server: string) {
    super(`${name}: no such name (NXDOMAIN from ${server})`)
    this.name = 'DnsNameError'
  }
}

/** The server answered with a failure code (SERVFAIL, REFUSED, …). */
export class DnsServerError extends Error {
  static override name = 'DnsServerError'
  readonly rcode: number
  constructor (name: string, server: string, rcode: number, rcodeName: string) {
    super(`${name}: ${server} answered ${rcodeName} (rcode ${rcode})`)
    this.name = 'DnsServerError'
    this.rcode = rcode
  }
}

/** The server's answer to our query could not be decoded or answers another question. */
export class DnsMalformedResponseError extends Error {
  static override name = 'DnsMalformedResponseError'
  constructor (name: string, server: string, detail: string) {
    super(`${name}: malformed answer from ${server} (${detail})`)
    this.name = 'DnsMalformedResponseError'
  }
}

/** No server answered within the query's time limit. */
export class DnsTimeoutError extends Error {
  static override name = 'DnsTimeoutError'
  constructor (name: string, type: string, servers: string, timeoutMs: number) {
    super(`${name}: no ${type} answer from ${servers} within ${timeoutMs} ms`)
    this.name = 'DnsTimeoutError'
  }
}

/** Every server failed, each for its own reason (all listed). */
export class DnsQueryError extends Error {
  static override name = 'DnsQueryError'
  constructor (message: string) {
    super(message)
    this.name = 'DnsQueryError'
  }
}
