import { NamedError } from '../util/errors.ts'
/** Why a handshake was refused. None of these is misbehaviour: they disconnect without a ban score. */
export type RefusalReason = 'old-version' | 'missing-services' | 'self-connection' | 'bad-magic' | 'denied'

/** The peer was refused during the handshake (disconnected, not banned). */
export class PeerRefusedError extends NamedError {
  readonly reason: RefusalReason
  constructor (reason: RefusalReason, message: string) {
    super(message)
    this.reason = reason
  }
}

/** The version/verack exchange did not finish within the handshake timeout. */
export class HandshakeTimeoutError extends NamedError {}

/** The session closed (socket error, remote close, ban, `close()`) before the handshake finished. */
export class PeerClosedError extends NamedError {}

/** A PeerInit field out of range; the message names the field and what was expected. */
export class PeerConfigError extends NamedError {}
