import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { EventBus } from '../util/event-bus.ts'
import type { Startable } from '../util/startable.ts'
import type { NodeConfig } from './config.ts'
import type { NodeEvents } from './events.ts'

/** Without a seeding round to wait for (--nodnsseed, a full book of dead peers), the first check comes this late. */
export const NO_PEERS_CHECK_MS = 60_000
/** The first reminder follows the first warning this late; each later one twice as late as the one before. */
export const NO_PEERS_FIRST_BACKOFF_MS = 120_000
/** A node left alone for days reminds its operator hourly, not more. */
export const NO_PEERS_MAX_BACKOFF_MS = 3_600_000

/** When the next warning may come, and how long after it the one after. */
export interface NoPeersState {
  readonly nextAtMs: number
  readonly backoffMs: number
}

export const INITIAL_NO_PEERS_STATE: NoPeersState = { nextAtMs: 0, backoffMs: NO_PEERS_FIRST_BACKOFF_MS }

/** Pure: whether to warn now, and the state after. A peer up resets the backoff (the next outage warns promptly). */
export function noPeersDecision (state: NoPeersState, nowMs: number, peersUp: number): { warn: boolean, state: NoPeersState } {
  if (peersUp > 0) return { warn: false, state: INITIAL_NO_PEERS_STATE }
  if (nowMs < state.nextAtMs) return { warn: false, state }
  return { warn: true, state: { nextAtMs: nowMs + state.backoffMs, backoffMs: Math.min(state.backoffMs * 2, NO_PEERS_MAX_BACKOFF_MS) } }
}

export interface NoPeersInit {
  readonly network: string
  /** Outbound connections (automatic and permanent) that finished their handshake. */
  peersUp(): number
  /** @default NO_PEERS_CHECK_MS */
  readonly checkIntervalMs?: number
}

/**
 * Says so when the node has no outbound peer: after a DNS seeding round that brought no address, and
 * at each periodic check, one `no_peers` warning naming what to check, then again with a doubling
 * backoff (2 min, 4 min, … up to an hour), never once per round.
 */
export class NoPeersWatch implements Startable {
  readonly #c: { clock: Clock, events: EventBus<NodeEvents> }
  readonly #init: NoPeersInit
  #state = INITIAL_NO_PEERS_STATE
  #startedMs = 0
  #seeding = 'no DNS seeding round yet'
  #timer: TimerHandle | undefined
  #off: Array<() => void> = []

  constructor (components: { clock: Clock, events: EventBus<NodeEvents> }, init: NoPeersInit) {
    this.#c = components
    this.#init = init
  }

  start (): void {
    if (this.#timer !== undefined) return
    const { clock, events } = this.#c
    this.#startedMs = clock.now()
    this.#off = [
      events.on('dns_seeded', (p) => {
        this.#seeding = p.failed === p.seeds ? `all ${p.seeds} DNS seeds failed` : `the last DNS seeding round gave ${p.offered} addresses`
        // A round that brought addresses gets its dials a chance first: the periodic check follows it up.
        if (p.offered === 0) this.#check()
      }),
      events.on('outbound_connected', () => { this.#state = INITIAL_NO_PEERS_STATE })
    ]
    this.#timer = clock.setInterval(() => { this.#check() }, this.#init.checkIntervalMs ?? NO_PEERS_CHECK_MS)
  }

  stop (): void {
    for (const off of this.#off) off()
    this.#off = []
    if (this.#timer !== undefined) this.#c.clock.clearInterval(this.#timer)
    this.#timer = undefined
  }

  #check (): void {
    const now = this.#c.clock.now()
    const { warn, state } = noPeersDecision(this.#state, now, this.#init.peersUp())
    this.#state = state
    if (!warn) return
    this.#c.events.emit('no_peers', { network: this.#init.network, sinceStartMs: now - this.#startedMs, seeding: this.#seeding, nextWarningMs: state.nextAtMs - now })
  }
}

/** The watch for a node that wants outbound peers (none for a listen-only node with no target and no permanent peers). */
export function noPeersWatch (config: NodeConfig, components: { clock: Clock, events: EventBus<NodeEvents> }, registry: ConnectionRegistry): NoPeersWatch[] {
  if (config.outbound.targetOutbound === 0 && config.outbound.permanentPeers.length === 0) return []
  return [new NoPeersWatch(components, {
    network: config.params.name,
    peersUp: () => registry.count('outbound-full-relay').established + registry.count('manual').established
  })]
}
