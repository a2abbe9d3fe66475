import * as D from './constants.ts'
import { PeerConfigError } from './errors.ts'
import type { PeerInit, PeerTimeouts } from './types.ts'

/** The numeric settings of a session, with their defaults applied and checked. */
export interface PeerSettings {
  readonly timeouts: PeerTimeouts
  readonly banThreshold: number
  readonly maxSendBufferBytes: number
}

/** Throws PeerConfigError naming the field when a value is not a positive number. */
export function peerSettings (init: PeerInit): PeerSettings {
  return {
    timeouts: {
      handshakeMs: positive('timeouts.handshakeMs', init.timeouts?.handshakeMs ?? D.DEFAULT_HANDSHAKE_TIMEOUT_MS),
      pingIntervalMs: positive('timeouts.pingIntervalMs', init.timeouts?.pingIntervalMs ?? D.DEFAULT_PING_INTERVAL_MS),
      pingTimeoutMs: positive('timeouts.pingTimeoutMs', init.timeouts?.pingTimeoutMs ?? D.DEFAULT_PING_TIMEOUT_MS),
      idleTimeoutMs: positive('timeouts.idleTimeoutMs', init.timeouts?.idleTimeoutMs ?? D.DEFAULT_IDLE_TIMEOUT_MS)
    },
    banThreshold: positive('banThreshold', init.banThreshold ?? D.DEFAULT_BAN_THRESHOLD),
    maxSendBufferBytes: positive('maxSendBufferBytes', init.maxSendBufferBytes ?? D.DEFAULT_MAX_SEND_BUFFER_BYTES)
  }
}

function positive (field: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new PeerConfigError(`peer: ${field} must be a positive number, got ${value}`)
  return value
}
