import type { LogLevel, Subsystem } from '../log/logger.ts'
import { describeEvent } from '../node/event-log.ts'
import type { NodeEventName, NodeEvents } from '../node/events.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { EventBus } from '../util/event-bus.ts'
import type { Startable } from '../util/startable.ts'

/** One node event as the page lists it: the JSON log's name, subsystem, level, message and fields. */
export interface StatusEvent {
  readonly atMs: number
  readonly event: NodeEventName
  readonly subsystem: Subsystem
  readonly level: LogLevel
  readonly message: string
  readonly fields: Readonly<Record<string, unknown>>
}

/** One point of the timeline: the connection counts when it was taken, and the dials finished since the last. */
export interface TimelinePoint {
  readonly atMs: number
  readonly outbound: number
  readonly inbound: number
  readonly dials: number
  readonly dialsFailed: number
}

/** A permanent peer waiting for its next attempt (a dial backoff or a name that did not resolve). */
export interface PendingRetry {
  readonly addr: string
  readonly reason: string
  readonly retryCount: number
  readonly nextAttemptAtMs: number
}

export interface StatusTrackerComponents {
  clock: Clock
  events: EventBus<NodeEvents>
  /** Open connections by direction, sampled for the timeline. */
  counts: () => { outbound: number, inbound: number }
}

export interface StatusTrackerInit {
  /** @default TIMELINE_SAMPLE_MS */
  sampleIntervalMs?: number
  /** @default RECENT_EVENTS */
  recentEvents?: number
}

/** 10 s points make a readable hour (360 of them, a few KiB); finer would only add noise. */
export const TIMELINE_SAMPLE_MS = 10_000
/** The chart's span: the "last hour". */
export const TIMELINE_WINDOW_MS = 60 * 60 * 1000
/** Enough to see what just happened; the JSON log keeps the rest. */
export const RECENT_EVENTS = 200

/**
 * What the status page needs that the node's parts do not keep: inbound rejections by reason, permanent
 * peers' pending retries, dials over time and the recent events. Fed by the node's event bus; time comes
 * from the clock. Bounded: a fixed ring of events and a fixed window of timeline points.
 */
export class StatusTracker implements Startable {
  readonly #c: StatusTrackerComponents
  readonly #sampleMs: number
  readonly #maxEvents: number
  readonly #maxPoints: number
  readonly #events: StatusEvent[] = []
  readonly #timeline: TimelinePoint[] = []
  readonly #rejections = new Map<string, number>()
  readonly #retries = new Map<string, PendingRetry>()
  readonly #listeners = new Set<(event: StatusEvent) => void>()
  readonly #sampleListeners = new Set<(point: TimelinePoint) => void>()
  readonly #unsubscribe: () => void
  #dials = 0
  #dialsFailed = 0
  #sampler: TimerHandle | undefined

  constructor (components: StatusTrackerComponents, init: StatusTrackerInit = {}) {
    this.#c = components
    this.#sampleMs = init.sampleIntervalMs ?? TIMELINE_SAMPLE_MS
    this.#maxEvents = init.recentEvents ?? RECENT_EVENTS
    this.#maxPoints = Math.ceil(TIMELINE_WINDOW_MS / this.#sampleMs)
    this.#unsubscribe = components.events.onAny((name, payload) => {
      // A flood is thousands of these a second: only counted, shown through the summary (inbound_rejections).
      if (name === 'inbound_rejected') {
        this.#tally(name, payload as unknown as Record<string, unknown>, this.#c.clock.now())
        return
      }
      const record = describeEvent(name, payload)
      if (record !== undefined) this.#observe(name, payload as unknown as Record<string, unknown>, record)
    })
  }

  start (): void {
    if (this.#sampler !== undefined) return
    this.#sample()
    this.#sampler = this.#c.clock.setInterval(() => { this.#sample() }, this.#sampleMs)
  }

  stop (): void {
    if (this.#sampler !== undefined) this.#c.clock.clearInterval(this.#sampler)
    this.#sampler = undefined
  }

  /** Stops listening to the bus for good (the tracker cannot be started again). */
  close (): void {
    this.stop()
    this.#unsubscribe()
  }

  /** Calls `listener` with each event as it is recorded; returns the unsubscribe function. */
  onEvent (listener: (event: StatusEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  /** Calls `listener` with each timeline point as it is taken; returns the unsubscribe function. */
  onSample (listener: (point: TimelinePoint) => void): () => void {
    this.#sampleListeners.add(listener)
    return () => { this.#sampleListeners.delete(listener) }
  }

  recentEvents (): readonly StatusEvent[] { return this.#events }
  timeline (): readonly TimelinePoint[] { return this.#timeline }
  /** Inbound sockets turned away, by reason: every rejection is an `inbound_rejected` event, so these are exact. */
  rejections (): Record<string, number> { return Object.fromEntries(this.#rejections) }
  /** Permanent peers waiting for their next attempt, soonest first. */
  retries (): PendingRetry[] { return [...this.#retries.values()].sort((a, b) => a.nextAttemptAtMs - b.nextAttemptAtMs) }

  #observe (name: NodeEventName, fields: Record<string, unknown>, record: Pick<StatusEvent, 'subsystem' | 'level' | 'message'>): void {
    const atMs = this.#c.clock.now()
    this.#tally(name, fields, atMs)
    const event: StatusEvent = { atMs, event: name, ...record, fields }
    this.#events.push(event)
    if (this.#events.length > this.#maxEvents) this.#events.shift()
    for (const listener of this.#listeners) listener(event)
  }

  #tally (name: NodeEventName, fields: Record<string, unknown>, atMs: number): void {
    const addr = typeof fields.addr === 'string' ? fields.addr : undefined
    switch (name) {
      case 'outbound_connected':
        this.#dials++
        if (addr !== undefined) this.#retries.delete(addr)
        return
      case 'dial_failed':
        this.#dials++
        this.#dialsFailed++
        return
      case 'inbound_rejected': {
        const reason = String(fields.reason)
        this.#rejections.set(reason, (this.#rejections.get(reason) ?? 0) + 1)
        return
      }
      case 'retry_scheduled':
        if (addr !== undefined && (fields.permanent === true || fields.returning === true)) {
          const reason = fields.returning === true ? 'left, slot kept for its return' : 'dial failed'
          this.#retries.set(addr, { addr, reason, retryCount: Number(fields.retryCount), nextAttemptAtMs: atMs + Number(fields.delayMs) })
        }
        return
      case 'request_canceled':
        if (addr !== undefined) this.#retries.delete(addr)
        return
      case 'permanent_unresolved':
        if (addr !== undefined) this.#retries.set(addr, { addr, reason: String(fields.reason), retryCount: 0, nextAttemptAtMs: atMs + Number(fields.retryMs) })
        return
      case 'node_stopped':
        this.#retries.clear()
    }
  }

  #sample (): void {
    const point: TimelinePoint = { atMs: this.#c.clock.now(), ...this.#c.counts(), dials: this.#dials, dialsFailed: this.#dialsFailed }
    this.#dials = 0
    this.#dialsFailed = 0
    this.#timeline.push(point)
    if (this.#timeline.length > this.#maxPoints) this.#timeline.shift()
    for (const listener of this.#sampleListeners) listener(point)
  }
}
