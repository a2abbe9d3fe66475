import { chooseAnchors } from '../addrbook/anchors.ts'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { ConnectionKind } from '../registry/types.ts'
import type { NodeStore } from '../store/node-store.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { EventBus } from '../util/event-bus.ts'
import type { Startable } from '../util/startable.ts'
import type { NodeEvents } from './events.ts'

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

/**
 * A refill connects several peers within a second or two: the anchors are written this long after the
 * first change of the outbound set, once for the whole burst (a write per connect would be wasted work).
 */
export const ANCHOR_SAVE_DELAY_MS = 5_000

export interface AnchorKeeperComponents {
  clock: Clock
  store: NodeStore
  registry: ConnectionRegistry
  events: EventBus<NodeEvents>
  /** Peers of the anchor kind that left and are redialed for their slots (returns), with their groups. @default none */
  claimed?(): ReadonlyArray<{ readonly addr: NetAddress, readonly group: string }>
}

/**
 * Keeps the anchors (the longest-connected automatic outbound peers of `kinds`, in distinct groups; Core
 * takes its block-relay-only peers) saved:
 * rewritten ANCHOR_SAVE_DELAY_MS after the outbound set changes (only when the choice differs), so a
 * crash loses at most that window, and saved once more when the node stops, chosen from the connection
 * registry while those peers are still up.
 */
export class AnchorKeeper implements Startable {
  readonly #c: AnchorKeeperComponents
  readonly #delayMs: number
  #unsubscribe: Array<() => void> = []
  #timer: TimerHandle | undefined
  #writing: Promise<void> = Promise.resolve()
  /** The addrKeys last written, so an unchanged choice is not written again. */
  #saved: string | undefined
  readonly #kinds: ReadonlySet<ConnectionKind>

  constructor (components: AnchorKeeperComponents, init: { anchorSaveDelayMs?: number, kinds?: readonly ConnectionKind[] } = {}) {
    this.#c = components
    this.#delayMs = init.anchorSaveDelayMs ?? ANCHOR_SAVE_DELAY_MS
    this.#kinds = new Set(init.kinds ?? ['outbound-full-relay'])
  }

  start (): void {
    if (this.#unsubscribe.length > 0) return
    const changed = (): void => { this.#schedule() }
    // request_canceled: a claim that expired (return_expired) no longer holds an anchor place.
    this.#unsubscribe = [this.#c.events.on('outbound_connected', changed), this.#c.events.on('outbound_disconnected', changed), this.#c.events.on('request_canceled', changed)]
  }

  async stop (): Promise<void> {
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
    if (this.#timer !== undefined) this.#c.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#writing
    await this.#save('stop')
  }

  #schedule (): void {
    this.#timer ??= this.#c.clock.setTimeout(() => {
      this.#timer = undefined
      // Writes are chained, so a slow write is never overtaken by a later, smaller choice.
      this.#writing = this.#writing.then(async () => { await this.#save('changed') }).catch((err: unknown) => {
        // The next change or the stop writes them again.
        this.#c.events.emit('store_write_failed', { path: this.#c.store.path, what: 'anchors', error: (err as Error).message })
      })
    }, this.#delayMs)
  }

  async #save (reason: 'changed' | 'stop'): Promise<void> {
    const candidates = this.#c.registry.all()
      .filter((conn) => (this.#kinds.has(conn.kind) || conn.kind === 'manual') && conn.handshakeAtMs !== undefined)
      .map((conn) => ({ addr: conn.addr, group: conn.group, handshakeAtMs: conn.handshakeAtMs ?? 0, permanent: conn.kind === 'manual' }))
    const claimed = (this.#c.claimed?.() ?? []).map((c) => ({ ...c, handshakeAtMs: 0, permanent: false, claimed: true }))
    const anchors = chooseAnchors([...claimed, ...candidates])
    const addrs = anchors.map(addrKey)
    if (reason === 'changed' && addrs.join(' ') === this.#saved) return
    await this.#c.store.saveAnchors(anchors)
    this.#saved = addrs.join(' ')
    this.#c.events.emit('anchors_saved', { count: anchors.length, addrs, reason })
  }
}
