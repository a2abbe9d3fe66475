import type { LogFields, Logger, LogLevel } from '../../src/log/logger.ts'

export interface LogRecord {
  level: LogLevel
  message: string
  fields: LogFields
  /** Set for logger.event() records. */
  event?: string
}

/** A Logger that keeps every record, so tests can assert what a component reported. */
export function recordingLogger (): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = []
  const at = (level: LogLevel) => (message: string, fields: LogFields = {}): void => { records.push({ level, message, fields }) }
  return {
    records,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    event: (event, fields, message, level = 'info') => { records.push({ level, message, fields, event }) }
  }
}
