/** Why a handshake was refused. None of these is misbehaviour: they disconnect without a ban score. */
export type RefusalReason = 'old-version' | 'missing-services' | 'self-connection' | 'bad-magic'

/** The peer was refused during the handshake (disconnected, not banned). */
export class PeerRefusedError extends Error {
  static override name = 'PeerRefusedError'
  readonly reason: RefusalReason
  constructor (reason: RefusalReason, message: string) {
    super(message)
    this.name = 'PeerRefusedError'
    this.reason = reason
  }
}

/** The version/verack exchange did not finish within the handshake timeout. */
export class HandshakeTimeoutError extends Error {
  static override name = 'HandshakeTimeoutError'
  constructor (message: string) {
    super(message)
    this.name = 'HandshakeTimeoutError'
  }
}

/** The session closed (socket error, remote close, ban, `close()`) before the handshake finished. */
export class PeerClosedError extends Error {
  static override name = 'PeerClosedError'
  constructor (message: string) {
    super(message)
    this.name = 'PeerClosedError'
  }
}

/** A PeerInit field out of range; the message names the field and what was expected. */
export class PeerConfigError extends Error {
  static override name = 'PeerConfigError'
  constructor (message: string) {
    super(message)
    this.name = 'PeerConfigError'
  }
}
