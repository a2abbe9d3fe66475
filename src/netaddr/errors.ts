import { UsageError } from '../util/errors.ts'
/** An address string that is not a valid host, host:port or IP literal. */
export class AddressParseError extends UsageError {}
