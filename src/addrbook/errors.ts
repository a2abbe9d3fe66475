import { NamedError } from '../util/errors.ts'

/** A bad address-book construction parameter. */
export class AddrBookError extends NamedError {}

/** A stored record that does not have the expected shape. */
export class AddrRecordError extends NamedError {}
