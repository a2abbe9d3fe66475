import type { LogFields, Subsystem } from '../../src/log/logger.ts'
import { EVENT_LOG_FORMATS } from '../../src/node/event-log.ts'
import type { NodeEvents } from '../../src/node/events.ts'
import type { EventBus } from '../../src/util/event-bus.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import type { Dialer, DialOptions } from '../../src/transport/dialer.ts'
import type { Socket } from 'node:net'
import type { Timeline } from './result.ts'
import { nowMs } from './stats.ts'

/** One lifecycle record of the node, stamped (performance.now) when it was logged. */
export interface ProbeRecord {
  readonly atMs: number
  readonly subsystem: Subsystem
  readonly event: string
  readonly fields: LogFields
}

interface Waiter {
  readonly condition: () => boolean
  readonly resolve: (atMs: number) => void
}

/**
 * Watches an in-process node through its lifecycle events (the same ones an operator sees) and its dialer:
 * automatic and permanent outbound counts, each dial attempt, and a timeline since `origin`. Waits are
 * re-checked synchronously on every record, so the time a condition became true is exact, and each wait
 * is bounded.
 */
export class NodeProbe {
  readonly records: ProbeRecord[] = []
  /** Handshaken automatic outbound connections right now. */
  outbound = 0
  /** Handshaken permanent outbound connections right now. */
  permanentUp = 0
  /** Automatic outbound connections lost so far (each outbound_disconnected). */
  lost = 0
  /** addrKey of each handshaken automatic outbound peer. */
  readonly connected = new Set<string>()
  dialCount = 0
  #origin = nowMs()
  #points: Array<[number, number]> = [[0, 0]]
  #permanentPoints: Array<[number, number]> = [[0, 0]]
  #dials: number[] = []
  readonly #waiters = new Set<Waiter>()
  readonly #watchers = new Set<() => void>()

  readonly #keepRecords: boolean

  /** keepRecords false: only counts and the timeline (a long flood would otherwise pile up records). */
  constructor (init: { keepRecords?: boolean } = {}) {
    this.#keepRecords = init.keepRecords ?? true
  }

  /** Follows a node's events (subscribe before start to see them all); returns the unsubscribe. */
  attach (bus: EventBus<NodeEvents>): () => void {
    return bus.onAny((event, payload) => {
      this.#observe({ atMs: nowMs(), subsystem: EVENT_LOG_FORMATS[event].subsystem, event, fields: { ...payload } })
    })
  }

  /** Starts a new timeline (and dial count) at this instant. */
  mark (): number {
    this.#origin = nowMs()
    this.#points = [[0, this.outbound]]
    this.#permanentPoints = [[0, this.permanentUp]]
    this.#dials = []
    this.dialCount = 0
    return this.#origin
  }

  /** Automatic (or permanent) outbound connections since the last mark, with every dial attempt. */
  timeline (profile: string, targetOutbound: number, kind: 'automatic' | 'permanent' = 'automatic'): Timeline {
    const points = kind === 'automatic' ? this.#points : this.#permanentPoints
    return { profile, outbound: [...points], dials: [...this.#dials], targetOutbound }
  }

  /** The real dialer, counted: every TCP dial attempt the node makes is one tick. */
  dialer (inner: Dialer): Dialer {
    return {
      dial: async (addr: NetAddress, options: DialOptions): Promise<Socket> => {
        this.dialCount++
        this.#dials.push(nowMs() - this.#origin)
        return await inner.dial(addr, options)
      }
    }
  }

  events (name: string, since = 0): ProbeRecord[] {
    return this.records.filter((r) => r.event === name && r.atMs >= since)
  }

  /** Calls `fn` after every record (counts already updated); returns the unsubscribe. */
  watch (fn: () => void): () => void {
    this.#watchers.add(fn)
    return () => { this.#watchers.delete(fn) }
  }

  /** Resolves with the instant `condition` became true (checked now and after every record); rejects after `timeoutMs`. */
  async until (what: string, condition: () => boolean, timeoutMs: number): Promise<number> {
    if (condition()) return nowMs()
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter)
        reject(new Error(`${what}: not within ${timeoutMs} ms (outbound ${this.outbound}, permanent ${this.permanentUp}, ${this.dialCount} dials)`))
      }, timeoutMs)
      const waiter: Waiter = { condition, resolve: (atMs) => { clearTimeout(timer); resolve(atMs) } }
      this.#waiters.add(waiter)
    })
  }

  #observe (record: ProbeRecord): void {
    if (this.#keepRecords) this.records.push(record)
    const permanent = record.fields.permanent === true
    const step = record.event === 'outbound_connected' ? 1 : record.event === 'outbound_disconnected' ? -1 : 0
    if (step !== 0 && record.subsystem === 'CMGR') {
      if (permanent) {
        this.permanentUp += step
        this.#permanentPoints.push([record.atMs - this.#origin, this.permanentUp])
      } else {
        this.outbound += step
        const key = String(record.fields.addr)
        if (step > 0) this.connected.add(key)
        else {
          this.connected.delete(key)
          this.lost++
        }
        this.#points.push([record.atMs - this.#origin, this.outbound])
      }
    }
    for (const fn of this.#watchers) fn()
    for (const waiter of this.#waiters) {
      if (!waiter.condition()) continue
      this.#waiters.delete(waiter)
      waiter.resolve(record.atMs)
    }
  }
}
