import { NamedError } from '../util/errors.ts'

/** A listening address could not be bound (in use, not ours, no permission). */
export class ListenError extends NamedError {
  /** The address, as `host:port` or `port N`. */
  readonly address: string
  constructor (message: string, address: string) {
    super(message)
    this.address = address
  }
}
