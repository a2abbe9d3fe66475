import { NodeStore } from '../../../src/store/node-store.ts'
import type { Clock } from '../../../src/util/clock.ts'

/**
 * Moves every time a stopped node's store holds `ms` into the past, as if it had been down that long;
 * `dropAnchors`: and forgets its anchors (what Core would have after a crash).
 */
export async function ageStore (datadir: string, clock: Clock, ms: number, dropAnchors: boolean): Promise<void> {
  const store = await NodeStore.open(datadir, { clock }, { consumeAnchors: dropAnchors })
  try {
    const s = Math.round(ms / 1000)
    const back = (t: number): number => t === 0 ? 0 : t - s
    const put = store.takeContents().addrRecords.map((r) => ({ ...r, time: r.time - s, lastAttempt: back(r.lastAttempt), lastCountAttempt: back(r.lastCountAttempt), lastSuccess: back(r.lastSuccess) }))
    await store.writeAddrChanges({ put, del: [] })
  } finally {
    await store.close()
  }
}
