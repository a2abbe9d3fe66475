import type { AddrChanges } from '../addrbook/record.ts'
import type { Logger } from '../log/logger.ts'
import { nullEventSink, type EventSink } from '../util/event-bus.ts'
import type { StoreEventMap } from './events.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { Startable } from '../util/startable.ts'

/** A crash loses at most this much address-book churn; Core waits 15 min, but a batch a minute is cheap. */
export const DEFAULT_FLUSH_INTERVAL_MS = 60_000

export interface AddrBookFlusherComponents {
  clock: Clock
  logger: Logger
  /** Where a failed flush is announced (the node's bus). @default dropped */
  events?: EventSink<StoreEventMap>
  book: { takeChanges(): AddrChanges }
  store: { writeAddrChanges(changes: AddrChanges): Promise<void> }
}

export interface AddrBookFlusherInit {
  /** @default DEFAULT_FLUSH_INTERVAL_MS (60 s) */
  intervalMs?: number
}

/**
 * Writes the address book's changes to the store as one batch every interval and once more at stop.
 * Flushes never overlap; changes from a failed write are kept and merged into the next one, so a
 * transient error loses nothing.
 */
export class AddrBookFlusher implements Startable {
  readonly #components: AddrBookFlusherComponents
  readonly #events: EventSink<StoreEventMap>
  readonly #intervalMs: number
  #timer: TimerHandle | undefined
  #running: Promise<unknown> = Promise.resolve()
  #unwritten: AddrChanges | undefined

  constructor (components: AddrBookFlusherComponents, init: AddrBookFlusherInit = {}) {
    this.#components = components
    this.#events = components.events ?? nullEventSink()
    this.#intervalMs = init.intervalMs ?? DEFAULT_FLUSH_INTERVAL_MS
  }

  start (): void {
    if (this.#timer !== undefined) return
    this.#timer = this.#components.clock.setInterval(() => {
      this.flush().catch(() => {}) // already logged; the changes wait for the next flush
    }, this.#intervalMs)
  }

  /** Stops the timer and writes what is left; rejects if that last write fails. */
  async stop (): Promise<void> {
    if (this.#timer !== undefined) this.#components.clock.clearInterval(this.#timer)
    this.#timer = undefined
    await this.flush()
  }

  /** Writes the changes made since the last successful flush; resolves with how many were written. */
  flush (): Promise<{ put: number, del: number }> {
    const run = this.#running.then(() => this.#flushOnce())
    this.#running = run.catch(() => {})
    return run
  }

  async #flushOnce (): Promise<{ put: number, del: number }> {
    const { book, store } = this.#components
    const changes = mergeChanges(this.#unwritten, book.takeChanges())
    this.#unwritten = undefined
    const counts = { put: changes.put.length, del: changes.del.length }
    if (counts.put === 0 && counts.del === 0) return counts
    const startMs = this.#components.clock.now()
    try {
      await store.writeAddrChanges(changes)
    } catch (err) {
      this.#unwritten = changes
      this.#events.emit('addrbook_flush_failed', { ...counts, error: (err as Error).message })
      throw err
    }
    this.#events.emit('addrbook_flushed', { ...counts, durationMs: this.#components.clock.now() - startMs })
    return counts
  }
}

/** `newer` applied on top of `older`: the last word on each key wins. */
export function mergeChanges (older: AddrChanges | undefined, newer: AddrChanges): AddrChanges {
  if (older === undefined) return newer
  const put = new Map(older.put.map((r) => [r.key, r]))
  const del = new Set(older.del)
  for (const r of newer.put) {
    del.delete(r.key)
    put.set(r.key, r)
  }
  for (const key of newer.del) {
    put.delete(key)
    del.add(key)
  }
  return { put: [...put.values()], del: [...del] }
}
