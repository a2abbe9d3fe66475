import type { LogFields, Logger, LogLevel } from '../../src/log/logger.ts'
import { EVENT_LOG_FORMATS } from '../../src/node/event-log.ts'
import type { NodeEventName } from '../../src/node/events.ts'

export interface LogRecord {
  level: LogLevel
  message: string
  fields: LogFields
  /** Set for events (emitted to the sink, or written with logger.event()). */
  event?: string
}

/** How a node event is logged: its format's level and message. */
function eventRecord (name: string, payload: object): { level: LogLevel, message: string } {
  const format = EVENT_LOG_FORMATS[name as NodeEventName] as { level?: LogLevel | ((p: object) => LogLevel), message: (p: object) => string } | undefined
  const level = format?.level
  return { level: typeof level === 'function' ? level(payload) : level ?? 'info', message: format?.message(payload) ?? name }
}

/**
 * A Logger that keeps every record, and an event sink that keeps every event in the same list, so tests
 * can assert what a component reported either way (pass it as both `logger` and `events`).
 */
export function recordingLogger (): Logger & { records: LogRecord[], emit: (name: string, payload: object) => void } {
  const records: LogRecord[] = []
  const at = (level: LogLevel) => (message: string, fields: LogFields = {}): void => { records.push({ level, message, fields }) }
  return {
    records,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    event: (event, fields, message, level = 'info') => { records.push({ level, message, fields, event }) },
    emit: (name, payload) => { records.push({ ...eventRecord(name, payload), fields: { ...payload }, event: name }) }
  }
}
