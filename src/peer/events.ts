import type { Direction } from './handshake-policy.ts'
import type { RefusalReason } from './errors.ts'
import type { MisbehaviourReason } from './misbehaviour.ts'

/** Fields every session event carries. */
export interface SessionFields {
  /** The connection's id (the node's one id space). */
  readonly id: number
  readonly addr: string
  readonly direction: Direction
  readonly permanent: boolean
}

/** A peer session's lifecycle events (names and fields are the JSON log's; see docs/events.md). */
export interface PeerEventMap {
  peer_handshake: SessionFields & {
    readonly version: number
    /** Hex, `0x…`: a bigint does not survive JSON. */
    readonly services: string
    readonly userAgent: string
    readonly startHeight: number
    /** 'v2' when BIP324 encrypts the connection. */
    readonly transport: 'v1' | 'v2'
  }
  /** Refused during the handshake: disconnected, not scored. */
  peer_refused: SessionFields & { readonly reason: RefusalReason, readonly detail: string }
  peer_misbehaving: SessionFields & {
    readonly reason: MisbehaviourReason
    readonly persistent: number
    readonly transient: number
    readonly score: number
    readonly action: 'none' | 'disconnect' | 'ban'
  }
  peer_banned: SessionFields & { readonly reason: MisbehaviourReason, readonly score: number }
  /** The score reached the threshold, but the peer is exempt: disconnected only. */
  peer_not_banned: SessionFields & { readonly reason: MisbehaviourReason, readonly score: number, readonly exempt: 'whitelisted' | 'permanent' }
  peer_disconnected: SessionFields & { readonly reason: string }
  /** A message or read beyond the connection's rate limit: dropped, then scored by its misbehaviour row. */
  peer_rate_limited: SessionFields & { readonly reason: 'message-rate' | 'byte-rate', readonly ratePerSecond: number, readonly burst: number }
}
