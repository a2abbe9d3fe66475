import { UsageError } from '../util/errors.ts'

/** A log level specification (--debuglevel) that does not parse. */
export class LogConfigError extends UsageError {}
