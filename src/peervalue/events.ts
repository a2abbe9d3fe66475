import type { EvictionRule } from './eviction.ts'

/** Peer-value events (names and fields are the JSON log's; see docs/events.md). */
export interface PeerValueEventMap {
  /** Inbound was full and a newcomer passed the gater: this peer made room for it. */
  peer_evicted: {
    readonly addr: string
    readonly id: number
    readonly direction: 'inbound'
    readonly reason: 'inbound_full'
    /** The newcomer it made room for. */
    readonly newcomer: string
    /** The victim's network group, and how many of the unprotected survivors were in it. */
    readonly group: string
    readonly groupSize: number
    /** Inbound peers that could be evicted at all, and how many each rule protected. */
    readonly eligible: number
    readonly protectedBy: Readonly<Record<EvictionRule, number>>
    readonly value: number
    readonly ageMs: number
  }
  /** Closed by a trim: above the high water mark, or the event loop overloaded. */
  peer_trimmed: {
    readonly addr: string
    readonly id: number
    readonly direction: 'inbound' | 'outbound'
    readonly reason: 'high_water' | 'overload'
    readonly value: number
    readonly ageMs: number
    /** Connections open when the trim started. */
    readonly connections: number
    /** The event-loop delay that triggered an overload trim (ms); 0 for high_water. */
    readonly eventLoopDelayMs: number
  }
}
