import type { AddrBook } from '../addrbook/addr-book.ts'
import { chooseAnchors } from '../addrbook/anchors.ts'
import { addrKey } from '../netaddr/netaddress.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { NodeStore } from '../store/node-store.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { Startable } from '../util/startable.ts'
import type { NodeEventMap } from './events.ts'

/** The status line's period (the issue asks for one a minute). */
export const STATUS_INTERVAL_MS = 60_000

/** Calls `tick` every interval while started (the node's status line). */
export class StatusTicker implements Startable {
  readonly #c: { clock: Clock, tick: () => void }
  readonly #intervalMs: number
  #timer: TimerHandle | undefined

  constructor (components: { clock: Clock, tick: () => void }, init: { intervalMs?: number } = {}) {
    this.#c = components
    this.#intervalMs = init.intervalMs ?? STATUS_INTERVAL_MS
  }

  start (): void {
    this.#timer ??= this.#c.clock.setInterval(this.#c.tick, this.#intervalMs)
  }

  stop (): void {
    if (this.#timer !== undefined) this.#c.clock.clearInterval(this.#timer)
    this.#timer = undefined
  }
}

export interface AnchorKeeperComponents {
  store: NodeStore
  book: AddrBook
  registry: ConnectionRegistry
  events: EventSink<NodeEventMap>
}

/**
 * Saves the anchors (Core's: the longest-connected automatic outbound peers, in distinct groups) when the
 * node stops, chosen from the connection registry while those peers are still up.
 */
export class AnchorKeeper implements Startable {
  readonly #c: AnchorKeeperComponents

  constructor (components: AnchorKeeperComponents) {
    this.#c = components
  }

  start (): void {}

  async stop (): Promise<void> {
    const candidates = this.#c.registry.all()
      .filter((conn) => conn.direction === 'outbound' && conn.kind !== 'addr-fetch' && conn.handshakeAtMs !== undefined)
      .map((conn) => ({ addr: conn.addr, group: conn.group, handshakeAtMs: conn.handshakeAtMs ?? 0, permanent: conn.kind === 'manual' }))
    const anchors = chooseAnchors(candidates)
    await this.#c.store.saveAnchors(anchors)
    this.#c.events.emit('anchors_saved', { count: anchors.length, addrs: anchors.map(addrKey) })
  }
}
