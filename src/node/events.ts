import type { AddrBookEventMap } from '../addrbook/events.ts'
import type { ConnManagerEventMap } from '../connmgr/events.ts'
import type { SeederEventMap } from '../discovery/events.ts'
import type { InboundEventMap } from '../inbound/events.ts'
import type { PeerEventMap } from '../peer/events.ts'
import type { StoreEventMap } from '../store/events.ts'
import type { PeerValueEventMap } from '../peervalue/events.ts'
import type { NodeStatus } from './status.ts'

export type SeedReason = 'empty_book' | 'no_outbound' | 'book_dry'

/** Address-book counts, as several events carry them. */
export interface BookSize {
  readonly new: number
  readonly tried: number
}

/** The node's own lifecycle events (names and fields are the JSON log's; see docs/events.md). */
export interface NodeEventMap {
  node_started: BookSize & {
    readonly network: string
    readonly datadir: string
    readonly targetOutbound: number
    readonly maxInbound: number
    readonly permanent: number
    readonly anchors: number
    readonly listen: readonly string[]
    readonly bans: number
  }
  status: NodeStatus
  node_stopped: BookSize & { readonly bans: number }
  anchors_saved: { readonly count: number, readonly addrs: readonly string[], readonly reason: 'changed' | 'stop' }
  anchor_dial: { readonly addr: string }
  /** A v2 (BIP324) dial was closed before any reply, as a v1-only node does: redialing it with v1. */
  transport_fallback: { readonly addr: string, readonly id: number }
  self_advertised: { readonly id: number, readonly addr: string, readonly advertised: string }
  feeler_started: { readonly addr: string, readonly target: 'collision' | 'new' }
  feeler_finished: { readonly addr: string, readonly target: 'collision' | 'new', readonly ok: boolean, readonly reason: string }
  inbound_connected: { readonly addr: string, readonly id: number, readonly direction: 'inbound' }
  inbound_disconnected: { readonly addr: string, readonly id: number, readonly direction: 'inbound', readonly reason: string }
  ban_recorded: {
    readonly addr: string
    readonly id: number
    readonly direction: 'inbound' | 'outbound'
    readonly reason: string
    readonly target: string
    readonly expiresMs: number
  }
  /** Every ban change made before it is fsynced in the database and banlist.json (acknowledged). */
  bans_saved: { readonly count: number }
  seeding_started: { readonly reason: SeedReason, readonly dnsSeeds: number, readonly seedNodes: number }
  dns_seeded: BookSize & { readonly seeds: number, readonly failed: number, readonly offered: number, readonly added: number }
  /** One line per round for the seeds that failed (each seed's own seed_failed is at debug): seeds grouped by reason. */
  seeding_failed: { readonly seeds: number, readonly failed: number, readonly reasons: ReadonlyArray<{ readonly reason: string, readonly seeds: readonly string[] }> }
  /** No outbound peer is up: what to check, repeated with a doubling backoff. */
  no_peers: { readonly network: string, readonly sinceStartMs: number, readonly seeding: string, readonly nextWarningMs: number }
  seednode_fetched: { readonly addr: string, readonly count: number }
  seednode_failed: { readonly addr: string, readonly reason: string }
  permanent_unresolved: { readonly addr: string, readonly permanent: true, readonly reason: string, readonly retryMs: number }
  permanent_refused: { readonly addr: string, readonly permanent: true, readonly reason: string }
  /** Node.reconfigure applied new settings (SIGHUP, later the control API); `changed` names what differs. */
  config_reloaded: { readonly changed: readonly string[], readonly dropped: number, readonly needRestart: readonly string[] }
  /** A reload was asked for but the settings could not be read or used; nothing changed. */
  config_reload_failed: { readonly error: string }
  shutdown_requested: { readonly signal: string }
  shutdown_forced: { readonly signal: string } | { readonly reason: 'timeout' }
  /** A warning Node emitted in `peerkeeper run` (deprecations, listener leaks), logged instead of printed. */
  process_warning: { readonly name: string, readonly message: string, readonly code?: string }
}

/**
 * Every event of a running node: the node's own and those of the engines it runs. The node has one
 * EventBus of this map; logging, the demo, benchmarks and tests subscribe to it.
 */
export type NodeEvents = NodeEventMap & ConnManagerEventMap & PeerEventMap & InboundEventMap & SeederEventMap & StoreEventMap & AddrBookEventMap & PeerValueEventMap

export type NodeEventName = keyof NodeEvents & string
