import { DialError, NamedError } from '../util/errors.ts'

/** No address qualifies: the connection manager asks again shortly; the node may seed meanwhile. */
export class NoAddressError extends NamedError {}

/** The connection gater refused a dial before any packet was sent (a banned address, by default). */
export class DialDeniedError extends DialError {
  readonly reason: string
  constructor (addr: string, reason: string) {
    super(`${addr} refused by the connection gater: ${reason}`)
    this.reason = reason
  }
}
