/** An address string that is not a valid host, host:port or IP literal. */
export class AddressParseError extends Error {
  static override name = 'AddressParseError'
  constructor (message: string) {
    super(message)
    this.name = 'AddressParseError'
  }
}
