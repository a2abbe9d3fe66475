import type { LogFields, Subsystem } from '../../log/logger.ts'
import { EVENT_LOG_FORMATS } from '../../node/event-log.ts'
import type { NodeEvents } from '../../node/events.ts'
import type { Clock } from '../../util/clock.ts'
import type { EventBus } from '../../util/event-bus.ts'

/** One node event, stamped when it was emitted, with the subsystem it is logged under. */
export interface LifecycleRecord {
  readonly atMs: number
  readonly subsystem: Subsystem
  readonly event: string
  readonly fields: LogFields
}

/**
 * Hands every event of the node's bus to `onRecord` as a LifecycleRecord: the demo follows the node
 * through the same events an operator's tools read in the JSON log. Returns the unsubscribe function.
 */
export function tapNodeEvents (bus: EventBus<NodeEvents>, clock: Clock, onRecord: (record: LifecycleRecord) => void): () => void {
  return bus.onAny((event, payload) => {
    onRecord({ atMs: clock.now(), subsystem: EVENT_LOG_FORMATS[event].subsystem, event, fields: { ...payload } })
  })
}
