/**
 * The base of peerkeeper's named errors: `name` is the concrete class's name, so callers and logs can
 * tell errors apart by `err.name` (which survives crossing module and process boundaries) without each
 * class restating it.
 */
export class NamedError extends Error {
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}
