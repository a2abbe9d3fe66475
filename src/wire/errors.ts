import { NamedError } from '../util/errors.ts'
/**
 * Why a byte stream could not be turned into a message. The session maps each kind to a
 * disconnect and/or a ban-score increase (the misbehaviour table in src/peer/).
 */
export type ProtocolErrorKind =
  /** Network magic differs: maybe another network; the stream is unusable. */
  | 'bad-magic'
  /** Declared payload length over MAX_PROTOCOL_MESSAGE_BYTES: refused before buffering; stream unusable. */
  | 'oversized'
  /** Command field not printable ASCII followed only by NUL padding; stream unusable. */
  | 'bad-command'
  /** Payload checksum mismatch: the message is skipped, framing stays intact. */
  | 'bad-checksum'
  /** A known command whose payload does not decode (or breaks a size limit): skipped. */
  | 'malformed-payload'
  /** A list longer than its per-message limit (addr/addrv2 over 1000 entries): skipped, counted before reading. */
  | 'too-many-entries'

export class ProtocolError extends NamedError {
  readonly kind: ProtocolErrorKind
  /** The command from the header, when it was readable. */
  readonly command: string | undefined
  /** True when the decoder cannot continue after this error (framing is lost). */
  readonly fatal: boolean
  constructor (kind: ProtocolErrorKind, message: string, command?: string) {
    super(message)
    this.kind = kind
    this.command = command
    this.fatal = kind === 'bad-magic' || kind === 'oversized' || kind === 'bad-command'
  }
}

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
