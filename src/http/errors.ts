import { NamedError } from '../util/errors.ts'

/** A server could not bind one of its addresses; the message names the server and the address. */
export class HttpListenError extends NamedError {}

/** A request body longer than the server accepts (answered 413). */
export class BodyTooLargeError extends NamedError {
  readonly limitBytes: number
  constructor (limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`)
    this.limitBytes = limitBytes
  }
}

/** A request body that ended early because the client went away. */
export class BodyAbortedError extends NamedError {}

/** An allow-list entry that is not an IP, IP/prefix or IPv4 IP/netmask; the message names the flag and value. */
export class SubnetParseError extends NamedError {}
