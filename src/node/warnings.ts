import type { EventSink } from '../util/event-bus.ts'
import type { NodeEventMap } from './events.ts'

/**
 * Node prints process warnings as plain text on stderr, which breaks a JSON log line by line. While the
 * node runs, its warnings become `process_warning` events (and so log records) instead; the returned
 * function puts Node's own printing back.
 */
export function routeProcessWarnings (events: EventSink<Pick<NodeEventMap, 'process_warning'>>): () => void {
  const previous = process.listeners('warning')
  process.removeAllListeners('warning')
  const onWarning = (warning: Error & { code?: string }): void => {
    events.emit('process_warning', { name: warning.name, message: warning.message, ...(typeof warning.code === 'string' ? { code: warning.code } : {}) })
  }
  process.on('warning', onWarning)
  return () => {
    process.off('warning', onWarning)
    for (const listener of previous) process.on('warning', listener)
  }
}
