import { NamedError, UsageError } from '../util/errors.ts'

/** A bad address-book construction parameter. */
export class AddrBookError extends NamedError {}

/** A stored record that does not have the expected shape. */
export class AddrRecordError extends NamedError {}

/** An asmap file that cannot be used (empty, or refused by Core's sanity check). */
export class AsmapError extends UsageError {}
