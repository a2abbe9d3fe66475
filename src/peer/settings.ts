import { checkRateLimits, type PeerRateLimits } from '../ratelimit/peer-limits.ts'
import * as D from './constants.ts'
import { PeerConfigError } from './errors.ts'
import { DEFAULT_PARTIAL_MESSAGE_TIMEOUT_MS, DEFAULT_SEND_STALL_TIMEOUT_MS, type TarpitDeadlines } from './tarpit.ts'
import type { PeerInit, PeerTimeouts } from './types.ts'

/** A session's checked settings: PeerInit's optional knobs with their defaults applied. */
export interface PeerSettings {
  readonly timeouts: PeerTimeouts
  readonly banThreshold: number
  readonly maxSendBufferBytes: number
  readonly deadlines: TarpitDeadlines
  /** Empty for whitelisted peers (they are never rate-limited, as they are never addr-limited). */
  readonly rateLimits: PeerRateLimits
}

function positive (field: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new PeerConfigError(`peer: ${field} must be a positive number, got ${value}`)
  return value
}

/** Applies the defaults and checks every value; a PeerConfigError names the field. */
export function peerSettings (init: PeerInit): PeerSettings {
  let rateLimits: PeerRateLimits = {}
  try {
    rateLimits = init.permissions?.noban === true ? {} : checkRateLimits(init.rateLimits ?? {})
  } catch (err) {
    throw new PeerConfigError(`peer: rateLimits: ${(err as Error).message}`)
  }
  return {
    timeouts: {
      handshakeMs: positive('timeouts.handshakeMs', init.timeouts?.handshakeMs ?? D.DEFAULT_HANDSHAKE_TIMEOUT_MS),
      pingIntervalMs: positive('timeouts.pingIntervalMs', init.timeouts?.pingIntervalMs ?? D.DEFAULT_PING_INTERVAL_MS),
      pingTimeoutMs: positive('timeouts.pingTimeoutMs', init.timeouts?.pingTimeoutMs ?? D.DEFAULT_PING_TIMEOUT_MS),
      idleTimeoutMs: positive('timeouts.idleTimeoutMs', init.timeouts?.idleTimeoutMs ?? D.DEFAULT_IDLE_TIMEOUT_MS)
    },
    banThreshold: positive('banThreshold', init.banThreshold ?? D.DEFAULT_BAN_THRESHOLD),
    maxSendBufferBytes: positive('maxSendBufferBytes', init.maxSendBufferBytes ?? D.DEFAULT_MAX_SEND_BUFFER_BYTES),
    deadlines: {
      sendStallMs: positive('tarpit.sendStallMs', init.tarpit?.sendStallMs ?? DEFAULT_SEND_STALL_TIMEOUT_MS),
      partialMessageMs: positive('tarpit.partialMessageMs', init.tarpit?.partialMessageMs ?? DEFAULT_PARTIAL_MESSAGE_TIMEOUT_MS)
    },
    rateLimits
  }
}
