/** The connection manager was built without a dial function (btcd's ErrDialNil). */
export class DialNilError extends Error {
  static override name = 'DialNilError'
  constructor (message = 'Config: Dial cannot be nil') {
    super(message)
    this.name = 'DialNilError'
  }
}

/** An init option is out of range; the message names the option and what was expected. */
export class ConnManagerConfigError extends Error {
  static override name = 'ConnManagerConfigError'
  constructor (message: string) {
    super(message)
    this.name = 'ConnManagerConfigError'
  }
}

/** A request names an address that another request already holds (pending or established). */
export class DuplicateAddressError extends Error {
  static override name = 'DuplicateAddressError'
  constructor (message: string) {
    super(message)
    this.name = 'DuplicateAddressError'
  }
}

/** connect() was given a request without an address. */
export class MissingAddressError extends Error {
  static override name = 'MissingAddressError'
  constructor (message: string) {
    super(message)
    this.name = 'MissingAddressError'
  }
}

/** The reason an in-flight dial's AbortSignal carries: removed, surplus or stopping. */
export class DialAbortedError extends Error {
  static override name = 'DialAbortedError'
  readonly reason: string
  constructor (reason: 'removed' | 'surplus' | 'stopping', target: string) {
    super(`dial to ${target} aborted: ${reason}`)
    this.name = 'DialAbortedError'
    this.reason = reason
  }
}
