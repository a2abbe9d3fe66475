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

/** No server answered within the query's time limit. */
export class DnsTimeoutError extends NamedError {
  constructor (name: string, type: string, servers: string, timeoutMs: number) {
    super(`${name}: no ${type} answer from ${servers} within ${timeoutMs} ms`)
  }
}

/** Every server failed, each for its own reason (all listed). */
export class DnsQueryError extends NamedError {}
