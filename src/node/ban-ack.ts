import type { BanList } from '../banlist/ban-list.ts'
import type { NodeStore } from '../store/node-store.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { NodeEventMap } from './events.ts'

/**
 * Emits `bans_saved` each time every ban change made so far is on disk in both copies (store.bansSaved()
 * resolved with no newer write pending): every ban recorded before that event survives a crash. A burst
 * of changes gets one event, not one per change. Call after store.bindBanList, so the store has queued each change first.
 * Returns the unsubscribe.
 */
export function acknowledgeBans (banList: BanList, store: NodeStore, events: EventSink<NodeEventMap>): () => void {
  let waiting: Promise<void> | undefined
  const onChanged = (): void => {
    const saved = store.bansSaved()
    if (saved === waiting) return // that write already carries this change
    waiting = saved
    saved.then(() => {
      if (waiting === saved) waiting = undefined
      // A newer write is pending: the event waits for it, so it always means "every change so far".
      if (store.bansSaved() !== saved) return
      events.emit('bans_saved', { count: banList.size })
    }, () => { /* store_write_failed says so; nothing was acknowledged */ })
  }
  banList.on('changed', onChanged)
  return () => { banList.off('changed', onChanged) }
}
