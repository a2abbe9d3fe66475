import { ConnState, type ConnReq } from '../connmgr/conn-req.ts'
import { addrKey, type Network } from '../netaddr/netaddress.ts'
import type { NodeConfig } from '../node/config.ts'
import type { NodeParts } from '../node/node.ts'
import type { Peer } from '../peer/peer.ts'
import type { ConnectionInfo, ConnectionKind } from '../registry/types.ts'
import type { PendingRetry, StatusTracker, TimelinePoint, StatusEvent } from './tracker.ts'

/** What a snapshot is built from: a node (its config, and its parts while it runs). */
export interface StatusSource {
  readonly config: NodeConfig
  readonly parts: NodeParts | undefined
}

export type SlotState = 'filled' | 'handshaking' | 'dialing' | 'waiting' | 'picking' | 'empty'

/** One box of the slot row. */
export interface SlotView {
  readonly kind: ConnectionKind
  readonly state: SlotState
  readonly addr?: string
  readonly connectedAtMs?: number
  readonly pingMs?: number
  /** A permanent peer between attempts: when the next one starts. */
  readonly nextAttemptAtMs?: number
}

export interface PeerView {
  readonly id: number
  readonly direction: 'inbound' | 'outbound'
  readonly kind: ConnectionKind
  readonly network: Network
  readonly addr: string
  readonly userAgent: string | undefined
  readonly version: number | undefined
  /** 'v1' or 'v2' (BIP324) once handshaken; v2's session id is Core's getpeerinfo session_id. */
  readonly transport: 'v1' | 'v2' | undefined
  readonly sessionId: string | undefined
  readonly connectedAtMs: number
  readonly handshakeAtMs: number | undefined
  readonly pingMs: number | undefined
  readonly minPingMs: number | undefined
  readonly banScore: number
  readonly permanent: boolean
  readonly whitelisted: boolean
  readonly tags: Readonly<Record<string, number>>
}

export interface BanView {
  readonly target: string
  readonly reason: string
  readonly createdMs: number
  readonly expiresMs: number
}

/** The page's whole state at one moment (GET /api/snapshot; the stream's `state` messages omit the history). */
export interface StatusSnapshot {
  readonly nowMs: number
  readonly network: string
  readonly running: boolean
  readonly outbound: {
    readonly target: number
    readonly slots: readonly SlotView[]
    readonly retries: readonly PendingRetry[]
  }
  readonly inbound: {
    readonly used: number
    readonly established: number
    readonly max: number
    readonly listening: readonly string[]
    /** Every socket the listener turned away, exactly (the reasons below are from rate-limited events). */
    readonly rejectedTotal: number
    readonly rejectedByReason: Readonly<Record<string, number>>
  }
  readonly peers: readonly PeerView[]
  readonly book: { readonly new: number, readonly tried: number, readonly byNetwork: Readonly<Record<string, { new: number, tried: number }>> }
  readonly bans: { readonly total: number, readonly shown: readonly BanView[] }
}

/** The snapshot plus what the page keeps a history of: the first message a stream client gets. */
export interface StatusHello extends StatusSnapshot {
  readonly timeline: readonly TimelinePoint[]
  readonly events: readonly StatusEvent[]
}

/** A node may hold thousands of bans; the page lists the newest this many and gives the total. */
export const MAX_BANS_SHOWN = 500

/** Builds the snapshot from the node's parts as they are now. */
export function buildSnapshot (source: StatusSource, tracker: StatusTracker, nowMs: number): StatusSnapshot {
  const { config, parts } = source
  const retries = tracker.retries()
  const base = { nowMs, network: config.params.name }
  if (parts === undefined) {
    return {
      ...base,
      running: false,
      outbound: { target: config.outbound.targetOutbound, slots: [], retries },
      inbound: { used: 0, established: 0, max: config.inbound.maxInbound, listening: [], rejectedTotal: 0, rejectedByReason: tracker.rejections() },
      peers: [],
      book: { new: 0, tried: 0, byNetwork: {} },
      bans: { total: 0, shown: [] }
    }
  }
  const conns = parts.registry.all()
  const inbound = parts.registry.countDirection('inbound')
  const bans = parts.banList.list().sort((a, b) => b.createdMs - a.createdMs)
  return {
    ...base,
    running: true,
    outbound: { target: config.outbound.targetOutbound, slots: slotsOf(config, conns, parts.connmgr.requests(), retries), retries },
    inbound: {
      used: inbound.total,
      established: inbound.established,
      max: config.inbound.maxInbound,
      listening: parts.listener.addresses(),
      rejectedTotal: parts.listener.rejected,
      rejectedByReason: tracker.rejections()
    },
    peers: conns.map(peerView),
    book: { ...parts.book.size(), byNetwork: parts.book.sizeByNetwork() },
    bans: { total: bans.length, shown: bans.slice(0, MAX_BANS_SHOWN) }
  }
}

function peerView (c: ConnectionInfo<Peer>): PeerView {
  return {
    id: c.id,
    direction: c.direction,
    kind: c.kind,
    network: c.addr.network,
    addr: c.key,
    userAgent: c.handshake?.userAgent,
    version: c.handshake?.version,
    transport: c.handshake?.transport,
    sessionId: c.handshake?.sessionId,
    connectedAtMs: c.connectedAtMs,
    handshakeAtMs: c.handshakeAtMs,
    pingMs: c.session.latencyMs,
    minPingMs: c.session.minLatencyMs,
    banScore: c.session.banScore.int(),
    permanent: c.session.permanent,
    whitelisted: c.session.whitelisted,
    tags: Object.fromEntries(c.tags)
  }
}

/**
 * The outbound slot row: one box per automatic slot (the target's worth, more while a staggered dial is
 * in flight), one per permanent peer, and one per other outbound connection (address fetches, and any
 * kind a later version adds), filled ones first.
 */
export function slotsOf (config: NodeConfig, conns: ReadonlyArray<ConnectionInfo<Peer>>, requests: readonly ConnReq[], retries: readonly PendingRetry[]): SlotView[] {
  const outbound = new Map(conns.filter((c) => c.direction === 'outbound').map((c) => [c.key, c]))
  const waiting = new Map(retries.map((r) => [r.addr, r]))
  const slots: SlotView[] = []
  for (const req of requests) {
    const key = req.addr === undefined ? undefined : addrKey(req.addr)
    const conn = key === undefined ? undefined : outbound.get(key)
    if (key !== undefined) outbound.delete(key)
    slots.push(requestSlot(req, key, conn, key === undefined ? undefined : waiting.get(key)))
  }
  for (const conn of outbound.values()) slots.push(connSlot(conn.kind, conn))
  const automatic = slots.filter((s) => s.kind === 'outbound-full-relay').length
  for (let i = automatic; i < config.outbound.targetOutbound; i++) slots.push({ kind: 'outbound-full-relay', state: 'empty' })
  // A permanent peer whose name has not resolved yet has no request: its box shows the pending retry.
  const permanent = slots.filter((s) => s.kind === 'manual').length
  const unresolved = retries.filter((r) => !slots.some((s) => s.addr === r.addr))
  for (let i = permanent; i < config.outbound.permanentPeers.length; i++) {
    const retry = unresolved[i - permanent]
    slots.push(retry === undefined ? { kind: 'manual', state: 'empty' } : { kind: 'manual', state: 'waiting', addr: retry.addr, nextAttemptAtMs: retry.nextAttemptAtMs })
  }
  return slots.sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state))
}

const STATE_ORDER: readonly SlotState[] = ['filled', 'handshaking', 'dialing', 'waiting', 'picking', 'empty']

function requestSlot (req: ConnReq, key: string | undefined, conn: ConnectionInfo<Peer> | undefined, retry: PendingRetry | undefined): SlotView {
  const kind: ConnectionKind = req.permanent ? 'manual' : 'outbound-full-relay'
  if (conn !== undefined) return connSlot(kind, conn)
  if (key === undefined) return { kind, state: 'picking' }
  if (req.state === ConnState.Pending && retry !== undefined) return { kind, state: 'waiting', addr: key, nextAttemptAtMs: retry.nextAttemptAtMs }
  return { kind, state: 'dialing', addr: key }
}

function connSlot (kind: ConnectionKind, conn: ConnectionInfo<Peer>): SlotView {
  const latency = conn.session.latencyMs
  return {
    kind,
    state: conn.handshake === undefined ? 'handshaking' : 'filled',
    addr: conn.key,
    connectedAtMs: conn.connectedAtMs,
    ...(latency === undefined ? {} : { pingMs: latency })
  }
}
