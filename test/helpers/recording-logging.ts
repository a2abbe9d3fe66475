import { EventEmitter } from 'node:events'
import type { LogFields, Logger, LoggerFactory, LogLevel, Subsystem } from '../../src/log/logger.ts'

export interface SubsystemRecord {
  subsystem: Subsystem
  level: LogLevel
  message: string
  fields: LogFields
  /** Set for logger.event() records. */
  event?: string
}

export interface RecordingLogging extends LoggerFactory {
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

/** A LoggerFactory that keeps every subsystem's records in one list, for in-process tests of the node. */
export function recordingLogging (): RecordingLogging {
  const records: SubsystemRecord[] = []
  const emitter = new EventEmitter<{ record: [SubsystemRecord] }>()
  const push = (record: SubsystemRecord): void => {
    records.push(record)
    emitter.emit('record', record)
  }
  const subsystem = (name: Subsystem): Logger => {
    const at = (level: LogLevel) => (message: string, fields: LogFields = {}): void => { push({ subsystem: name, level, message, fields }) }
    return {
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      event: (event, fields, message, level = 'info') => { push({ subsystem: name, level, message, fields, event }) }
    }
  }
  const events = (name: string): SubsystemRecord[] => records.filter((r) => r.event === name)
  const history = (): string => records.filter((r) => r.event !== undefined)
    .map((r) => `${r.subsystem} ${r.event ?? ''} ${JSON.stringify(r.fields, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v)}`)
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
  return { records, subsystem, events, waitFor, waitUntil }
}
