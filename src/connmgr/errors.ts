import { DialError, NamedError } from '../util/errors.ts'
import type { CancelReason } from './events.ts'

/** The connection manager was built without a dial function (btcd's ErrDialNil). */
export class DialNilError extends NamedError {
  constructor (message = 'Config: Dial cannot be nil') {
    super(message)
  }
}

/** An init option is out of range; the message names the option and what was expected. */
export class ConnManagerConfigError extends NamedError {}

/** A request names an address that another request already holds (pending or established). */
export class DuplicateAddressError extends NamedError {}

/** connect() was given a request without an address. */
export class MissingAddressError extends NamedError {}

/** The reason an in-flight dial's AbortSignal carries: removed, surplus, displaced or stopping. */
export class DialAbortedError extends DialError {
  readonly reason: string
  constructor (reason: CancelReason | 'stopping', target: string) {
    super(`dial to ${target} aborted: ${reason}`)
    this.reason = reason
  }
}
