import { EventEmitter } from 'node:events'
import type { LogFields, Subsystem } from '../../src/log/logger.ts'
import { EVENT_LOG_FORMATS } from '../../src/node/event-log.ts'
import type { NodeEventName, NodeEvents } from '../../src/node/events.ts'
import type { EventBus } from '../../src/util/event-bus.ts'

export interface SubsystemRecord {
  subsystem: Subsystem
  /** The log message the event is written with. */
  message: string
  fields: LogFields
  event: string
}

export interface RecordingEvents {
  /** Subscribes to a node's bus (before start, to see everything); returns the unsubscribe function. */
  attach(bus: EventBus<NodeEvents>): () => void
  readonly records: SubsystemRecord[]
  /** Event records with this name, oldest first. */
  events(name: string): SubsystemRecord[]
  /**
   * The first event record (already logged or still to come) named `name` that matches; rejects after
   * `timeoutMs` of real time with the events seen so far, so a failing test says what happened instead.
   */
  waitFor(name: string, match?: (fields: LogFields) => boolean, timeoutMs?: number): Promise<SubsystemRecord>
  /** Resolves once `condition` holds, re-checked after every record (no polling); rejects like waitFor. */
  waitUntil(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>
}

/** Keeps every event of a node's bus in one list, for in-process tests of the node. */
export function recordingEvents (): RecordingEvents {
  const records: SubsystemRecord[] = []
  const emitter = new EventEmitter<{ record: [SubsystemRecord] }>()
  const push = (record: SubsystemRecord): void => {
    records.push(record)
    emitter.emit('record', record)
  }
  const attach = (bus: EventBus<NodeEvents>): () => void => bus.onAny((event, payload) => {
    const format = EVENT_LOG_FORMATS[event as NodeEventName] as { subsystem: Subsystem, message: (p: object) => string }
    push({ subsystem: format.subsystem, message: format.message(payload), fields: { ...payload }, event })
  })
  const events = (name: string): SubsystemRecord[] => records.filter((r) => r.event === name)
  const history = (): string => records
    .map((r) => `${r.subsystem} ${r.event} ${JSON.stringify(r.fields, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v)}`)
    .slice(-40).join('\n')
  const until = async <T>(what: string, check: (r: SubsystemRecord | undefined) => T | undefined, timeoutMs: number): Promise<T> => {
    const now = check(undefined)
    if (now !== undefined) return now
    return await new Promise((resolve, reject) => {
      const onRecord = (r: SubsystemRecord): void => {
        const result = check(r)
        if (result === undefined) return
        clearTimeout(timer)
        emitter.off('record', onRecord)
        resolve(result)
      }
      const timer = setTimeout(() => {
        emitter.off('record', onRecord)
        reject(new Error(`${what}: not within ${timeoutMs} ms; events so far:\n${history()}`))
      }, timeoutMs)
      emitter.on('record', onRecord)
    })
  }
  const waitFor = async (name: string, match: (fields: LogFields) => boolean = () => true, timeoutMs = 20_000): Promise<SubsystemRecord> =>
    await until(`event "${name}"`, () => events(name).find((r) => match(r.fields)), timeoutMs)
  const waitUntil = async (what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> => {
    await until(what, () => condition() ? true : undefined, timeoutMs)
  }
  return { attach, records, events, waitFor, waitUntil }
}
