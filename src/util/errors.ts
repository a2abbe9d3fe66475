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

/*
 * One base per kind of failure, so callers decide by class (`instanceof`) rather than by lists of names.
 * Each folder's errors.ts declares its concrete classes on one of these, or on NamedError for the rest.
 */

/**
 * Bad input from the user: a value, file or combination that cannot be used. The CLI prints it as one
 * line and exits with status 2; library code words it without flag names (the CLI adds them).
 */
export class UsageError extends NamedError {}

/** A dial that failed or was given up: no connection came of it, and a later one to the same address may work. */
export class DialError extends NamedError {}

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

/** The remote side broke the wire protocol; `kind` says how, `fatal` whether the stream can go on. */
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
