import { NamedError } from '../util/errors.ts'
/** The wire's protocol violations: the base of the protocol kind, declared with the other bases. */
export { ProtocolError, type ProtocolErrorKind } from '../util/errors.ts'

/** A message we were asked to send has a field outside what the wire format can carry (a caller bug). */
export class WireEncodeError extends NamedError {}

/** A payload field runs past the end of the payload (becomes 'malformed-payload'). */
export class ReadPastEndError extends NamedError {}

/**
 * A payload field is present but breaks a rule (becomes 'malformed-payload'): a non-canonical
 * CompactSize, a size or count limit, a length that does not fit its network.
 */
export class InvalidPayloadError extends NamedError {}

/** A CompactSize element count over the message's limit (becomes 'too-many-entries'). */
export class TooManyEntriesError extends InvalidPayloadError {}
