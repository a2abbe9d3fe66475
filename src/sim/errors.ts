import { NamedError } from '../util/errors.ts'

/** A listener that will not bind: one line naming the peer's address and the system's reason. */
export class SimListenError extends NamedError {
  /** The system error code (EADDRINUSE, EADDRNOTAVAIL, …) when there is one. */
  readonly code: string | undefined
  constructor (message: string, code?: string) {
    super(message)
    this.code = code
  }
}

/** A spec field that makes no sense: one line naming the peer and the field. */
export class SimConfigError extends NamedError {}
