import { describe, expect, it } from 'vitest'
import { ageStore } from '../../bench/lib/eclipse/age-store.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { addrRecordFor, nthAddress } from '../helpers/addr-records.ts'
import { manualClock } from '../helpers/manual-clock.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const HOUR_MS = 3_600_000

/** The eclipse simulation ages a stopped node instead of moving the clock every node shares. */
describe('eclipse simulation: ageStore', () => {
  async function storeWith (dir: string): Promise<void> {
    const store = await NodeStore.open(dir, { clock: manualClock() })
    await store.saveAddrBookKey(new Uint8Array(32).fill(7))
    const tried = { ...addrRecordFor(1), lastAttempt: 1_700_000_100, lastCountAttempt: 1_700_000_050, lastSuccess: 1_700_000_100 }
    await store.writeAddrChanges({ put: [addrRecordFor(0), tried], del: [] })
    await store.saveAnchors([nthAddress(1)])
    await store.close()
  }

  it('moves every stored time back by the downtime, leaves "never" at 0 and keeps the anchors', async () => {
    const dir = tempDir('age-store')
    await storeWith(dir)
    await ageStore(dir, manualClock(), HOUR_MS, false)
    const store = await NodeStore.open(dir, { clock: manualClock() })
    const { addrRecords, anchors } = store.takeContents()
    await store.close()
    const byKey = new Map(addrRecords.map((r) => [r.key, r]))
    expect(byKey.get(addrRecordFor(0).key)).toMatchObject({ time: 1_700_000_000 - 3600, lastAttempt: 0, lastCountAttempt: 0, lastSuccess: 0 })
    expect(byKey.get(addrRecordFor(1).key)).toMatchObject({ time: 1_700_000_000 - 3600, lastAttempt: 1_700_000_100 - 3600, lastCountAttempt: 1_700_000_050 - 3600, lastSuccess: 1_700_000_100 - 3600 })
    expect(anchors).toEqual([nthAddress(1)])
  })

  it('drops the anchors when asked (Core after a crash)', async () => {
    const dir = tempDir('age-store-crash')
    await storeWith(dir)
    await ageStore(dir, manualClock(), HOUR_MS, true)
    const store = await NodeStore.open(dir, { clock: manualClock() })
    expect(store.takeContents().anchors).toEqual([])
    await store.close()
  })
})
