import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BanList } from '../../src/banlist/ban-list.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import type { Clock } from '../../src/util/clock.ts'
import { addrRecordFor } from '../helpers/addr-records.ts'

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i)
const A = { network: 'ipv4', host: '10.0.0.1', port: 8333 } as const

describe('NodeStore.readSnapshot: reads a data directory without changing it', () => {
  let root: string
  let datadir: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pk-snapshot-'))
    datadir = join(root, 'data')
  })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  const read = async (clock: Clock = systemClock): ReturnType<typeof NodeStore.readSnapshot> =>
    await NodeStore.readSnapshot(datadir, { clock })

  it('refuses a missing data directory and does not create it', async () => {
    await expect(read()).rejects.toMatchObject({ name: 'DataDirError', message: `data directory ${datadir} does not exist` })
    expect(readdirSync(root)).toEqual([])
  })

  it('reads an empty data directory as empty, creating no database in it', async () => {
    mkdirSync(datadir)
    expect(await read()).toEqual({ datadir, path: join(datadir, 'db'), addrBookKey: undefined, addrRecords: [], anchors: [], bans: [] })
    expect(readdirSync(datadir)).toEqual([])
  })

  it('returns everything, and leaves anchors and expired bans on disk', async () => {
    let now = 1_000_000
    const clock: Clock = { ...systemClock, now: () => now }
    const store = await NodeStore.open(datadir, { clock })
    await store.saveAddrBookKey(KEY)
    await store.writeAddrChanges({ put: [addrRecordFor(1)], del: [] })
    const bans = new BanList({ clock })
    store.bindBanList(bans)
    bans.ban('10.5.5.5', { durationMs: 1_000 })
    await store.saveAnchors([A])
    await store.close()

    now += 2_000 // the ban has lapsed
    for (let i = 0; i < 2; i++) {
      const snapshot = await read(clock)
      expect(snapshot.addrBookKey).toEqual(KEY)
      expect(snapshot.addrRecords.map((r) => r.key)).toEqual([addrRecordFor(1).key])
      expect(snapshot.anchors).toEqual([A])
      expect(snapshot.bans.map((e) => e.target)).toEqual(['10.5.5.5']) // a BanList drops it; the disk keeps it
    }
  })

  it('reports a corrupt database and leaves it where it is', async () => {
    const store = await NodeStore.open(datadir, { clock: systemClock })
    await store.close()
    writeFileSync(join(datadir, 'db', 'CURRENT'), 'garbage')
    const before = readdirSync(datadir)
    await expect(read()).rejects.toMatchObject({ name: 'StoreCorruptError', message: expect.stringMatching(/^database \S+\/db cannot be used \(failed to open: Corruption.*\); left as it is: peerkeeper run moves it aside and starts a new one$/) as unknown })
    expect(readdirSync(datadir)).toEqual(before)
  })

  it('refuses a database a running store holds', async () => {
    const store = await NodeStore.open(datadir, { clock: systemClock })
    await expect(read()).rejects.toMatchObject({ name: 'DataDirLockedError' })
    await store.close()
  })
})
