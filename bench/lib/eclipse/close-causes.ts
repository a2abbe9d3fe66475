import type { Node } from '../../../src/node/node.ts'

/** Who was on the other end of a closed connection. */
export type PeerSide = 'attacker' | 'restarting' | 'staying'
/** When it closed: while the restarting nodes go down and come back one by one, or in the rest of a round. */
export type Phase = 'warmup' | 'restarts' | 'round'

/** One automatic outbound connection (full-relay or block-relay-only) that ended while its node was up. */
export interface CloseRecord {
  readonly node: number
  readonly nodeRestarts: boolean
  readonly kind: string
  readonly peer: PeerSide
  readonly phase: Phase
  /** The reason on our side; when the far end closed, the far end's reason (`peer restarting: …` when it was being stopped or started). */
  readonly cause: string
}

/** Reasons a session gives when the far end closed the socket (peer.ts): the cause is on the other side. */
const REMOTE_REASONS = /^(connection closed|peer ended the connection|socket error)/
/** The far end's inbound close of the same socket follows (or precedes) ours within this (real ms). */
const MATCH_WINDOW_MS = 1_000

/** What the tracker asks the network. */
export interface CloseCausesComponents {
  /** Node i is being stopped or started (its own restart). */
  readonly isDown: (i: number) => boolean
  /** The honest node listening on `host`, if any. */
  readonly indexOf: (host: string) => number | undefined
  /** Node i is one of those that restart. */
  readonly restarts: (i: number) => boolean
  readonly isAttacker: (host: string) => boolean
}

interface InboundClose { readonly atMs: number, readonly fromHost: string, readonly reason: string, readonly down: boolean }

/** Numbers (durations, byte counts) dropped, so that reasons of one kind add up. */
const normal = (reason: string): string => reason.replace(/[0-9]+/g, 'N').slice(0, 60)

/**
 * Finds out why the automatic outbound connections of the simulated nodes end. A node's own close gives its
 * reason; when the far end closed (an honest node), its inbound session's reason for the same connection
 * (matched by address pair and time) is the cause, marked `peer restarting` when that node was being stopped or started.
 */
export class CloseCauses {
  readonly records: CloseRecord[] = []
  phase: Phase = 'warmup'
  readonly #c: CloseCausesComponents
  readonly #inbound = new Map<number, InboundClose[]>()
  readonly #waiting = new Set<ReturnType<typeof setTimeout>>()

  constructor (components: CloseCausesComponents) {
    this.#c = components
  }

  /** Follows node `i` (a fresh Node object after each restart). */
  attach (i: number, node: Node, host: string): void {
    // By address: the session's id is not the request's, and one address holds one connection at most.
    const kinds = new Map<string, string>()
    node.events.on('outbound_connected', (p) => { if (!p.permanent && p.addr !== undefined) kinds.set(p.addr, p.kind ?? 'outbound-full-relay') })
    node.events.on('peer_disconnected', (p) => {
      const atMs = performance.now()
      const remoteHost = p.addr.slice(0, p.addr.lastIndexOf(':'))
      if (p.direction === 'inbound') {
        const list = this.#inbound.get(i) ?? []
        list.push({ atMs, fromHost: remoteHost, reason: p.reason, down: this.#c.isDown(i) })
        this.#inbound.set(i, list.filter((c) => atMs - c.atMs < 10 * MATCH_WINDOW_MS))
        return
      }
      const kind = kinds.get(p.addr)
      kinds.delete(p.addr)
      if (kind === undefined || this.#c.isDown(i)) return
      const phase = this.phase
      const j = this.#c.indexOf(remoteHost)
      const peer: PeerSide = this.#c.isAttacker(remoteHost) ? 'attacker' : j !== undefined && this.#c.restarts(j) ? 'restarting' : 'staying'
      const record = (cause: string): void => { this.records.push({ node: i, nodeRestarts: this.#c.restarts(i), kind, peer, phase, cause }) }
      if (!REMOTE_REASONS.test(p.reason) || j === undefined) {
        record(`${REMOTE_REASONS.test(p.reason) ? 'far end closed' : 'we closed'}: ${normal(p.reason)}`)
        return
      }
      // The far end's close of this socket may arrive a little later: look once the window has passed.
      const timer = setTimeout(() => {
        this.#waiting.delete(timer)
        const theirs = (this.#inbound.get(j) ?? []).filter((c) => c.fromHost === host && Math.abs(c.atMs - atMs) < MATCH_WINDOW_MS && !REMOTE_REASONS.test(c.reason))
        const first = theirs[0]
        if (first === undefined) record(`far end closed: ${normal(p.reason)} (no reason found)`)
        else record(`${first.down ? 'peer restarting' : 'peer closed'}: ${normal(first.reason)}`)
      }, MATCH_WINDOW_MS)
      this.#waiting.add(timer)
    })
  }

  /** Stops waiting for far ends (the network is closing). */
  close (): void {
    for (const t of this.#waiting) clearTimeout(t)
    this.#waiting.clear()
  }

  /** Counts by node class, phase, peer side and cause. */
  table (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const r of this.records) {
      const key = `${r.nodeRestarts ? 'restarting' : 'staying'} node | ${r.phase} | ${r.kind} | peer ${r.peer} | ${r.cause}`
      out[key] = (out[key] ?? 0) + 1
    }
    return out
  }
}
