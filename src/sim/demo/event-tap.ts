import { nullLoggerFactory, type LogFields, type Logger, type LoggerFactory, type Subsystem } from '../../log/logger.ts'
import type { Clock } from '../../util/clock.ts'

/** One lifecycle record (`logger.event(...)`) of any subsystem, stamped when it was logged. */
export interface LifecycleRecord {
  readonly atMs: number
  readonly subsystem: Subsystem
  readonly event: string
  readonly fields: LogFields
  readonly message: string
}

/**
 * A LoggerFactory that hands every lifecycle record to `onRecord` and passes everything on to `inner`
 * (silent by default). The demo follows the node through the same events an operator's tools would.
 */
export function tapLifecycleEvents (onRecord: (record: LifecycleRecord) => void, clock: Clock, inner: LoggerFactory = nullLoggerFactory): LoggerFactory {
  return {
    subsystem: (subsystem: Subsystem): Logger => {
      const next = inner.subsystem(subsystem)
      return {
        trace: (message, fields) => { next.trace(message, fields) },
        debug: (message, fields) => { next.debug(message, fields) },
        info: (message, fields) => { next.info(message, fields) },
        warn: (message, fields) => { next.warn(message, fields) },
        error: (message, fields) => { next.error(message, fields) },
        event: (event, fields, message, level) => {
          next.event(event, fields, message, level)
          onRecord({ atMs: clock.now(), subsystem, event, fields, message })
        }
      }
    }
  }
}
