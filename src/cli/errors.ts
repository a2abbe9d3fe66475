import { NamedError } from '../util/errors.ts'
/** A bad flag, value or combination: printed as one line, and the process exits with status 2. */
export class UsageError extends NamedError {}

/** Errors that mean "the user asked for something invalid" rather than "something broke". */
export const USAGE_ERROR_NAMES: ReadonlySet<string> = new Set(['UsageError', 'AddressParseError', 'ChainParamsError', 'LogConfigError', 'YError'])

export const EXIT_USAGE = 2
export const EXIT_FAILURE = 1
