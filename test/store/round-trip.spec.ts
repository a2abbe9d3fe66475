import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import type { AddrRecord } from '../../src/addrbook/record.ts'
import { BanList } from '../../src/banlist/ban-list.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { AddrBookFlusher } from '../../src/store/addrbook-flusher.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import type { Clock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { addrRecordFor } from '../helpers/addr-records.ts'

const RECORDS = 80_000
const NOW_MS = 1_700_000_000_000
const clock: Clock = { ...systemClock, now: () => NOW_MS }
const byKey = (a: AddrRecord, b: AddrRecord): number => a.key < b.key ? -1 : a.key > b.key ? 1 : 0

/** Routable IPv4 addresses, distinct for distinct n (first octet 11-210 avoids every reserved range). */
function routable (n: number): NetAddress {
  return { network: 'ipv4', host: `${11 + (n % 200)}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, port: 8333 }
}

/** Opens the store, measuring wall time and this process's CPU time (the latter is fairer on a busy machine). */
async function timedOpen (datadir: string): Promise<{ store: NodeStore, ms: string }> {
  const started = performance.now()
  const cpu = process.cpuUsage()
  const store = await NodeStore.open(datadir, { clock })
  const used = process.cpuUsage(cpu)
  return { store, ms: `${(performance.now() - started).toFixed(0)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0)} ms)` }
}

describe('persistence round trip', () => {
  let datadir: string
  beforeEach(() => { datadir = mkdtempSync(join(tmpdir(), 'pk-roundtrip-')) })
  afterEach(() => { rmSync(datadir, { recursive: true, force: true }) })

  it(`${RECORDS} address records and the bans survive close and reopen`, async () => {
    const key = seededRandom(3).bytes(32)
    const records = Array.from({ length: RECORDS }, (_, n) => addrRecordFor(n, 1_600_000_000 + n))
    const store = await NodeStore.open(datadir, { clock })
    store.takeContents()
    await store.saveAddrBookKey(key)
    const bans = new BanList({ clock })
    store.bindBanList(bans)
    const flusher = new AddrBookFlusher({ clock, logger: nullLogger, store, book: { takeChanges: () => ({ put: records, del: [] }) } })
    await flusher.flush()
    for (let i = 0; i < 50; i++) bans.ban(i % 2 === 0 ? `192.0.2.${i}` : `2001:db8:${i.toString(16)}::/48`, { durationMs: (i + 1) * 3_600_000, reason: `reason ${i}` })
    const bansBefore = bans.list()
    await store.close()

    const { store: reopened, ms } = await timedOpen(datadir)
    const contents = reopened.takeContents()
    const restored = new BanList({ clock })
    reopened.bindBanList(restored)
    await reopened.close()
    console.log(`NodeStore.open read and checked ${RECORDS} address records + ${bansBefore.length} bans in ${ms}`)
    expect(contents.addrBookKey).toEqual(key)
    expect(contents.addrRecords.length).toBe(RECORDS)
    expect([...contents.addrRecords].sort(byKey)).toEqual([...records].sort(byKey))
    expect(restored.list()).toEqual(bansBefore)
  })

  it('a real address book (new and tried tables) comes back identical, positions included', async () => {
    const random = seededRandom(11)
    const book = new AddrBook({ clock, random, logger: nullLogger }, { allowLocal: false })
    // Many sources in distinct /16 groups, so the new table fills beyond one source group's 64 buckets.
    const PER_SOURCE = 50
    for (let s = 0; s < 2_400; s++) {
      const source = routable(0x7f0000 + s * 256)
      book.add(Array.from({ length: PER_SOURCE }, (_, j) => ({ addr: routable(s * PER_SOURCE + j), services: 1033n, time: NOW_MS / 1000 - 3600 - j })), source)
    }
    for (let n = 0; n < 120_000; n += 7) book.good(routable(n))
    const size = book.size()
    expect(size.tried).toBeGreaterThan(5_000)

    const store = await NodeStore.open(datadir, { clock })
    store.takeContents()
    await store.saveAddrBookKey(book.key)
    const flusher = new AddrBookFlusher({ clock, logger: nullLogger, store, book })
    flusher.start()
    await flusher.stop()
    await store.close()

    const { store: reopened, ms } = await timedOpen(datadir)
    const { addrBookKey, addrRecords } = reopened.takeContents()
    await reopened.close()
    const loadStarted = performance.now()
    const again = new AddrBook({ clock, random: seededRandom(12), logger: nullLogger }, { allowLocal: false, key: addrBookKey })
    expect(again.loadRecords(addrRecords)).toEqual({ loaded: size.new + size.tried, skipped: 0 })
    const loadMs = performance.now() - loadStarted
    console.log(`address book of ${size.new} new + ${size.tried} tried: NodeStore.open ${ms}, AddrBook.loadRecords ${loadMs.toFixed(0)} ms`)
    expect(again.size()).toEqual(size)
    expect(again.exportRecords().sort(byKey)).toEqual(book.exportRecords().sort(byKey))
    expect(again.takeChanges()).toEqual({ put: [], del: [] })
  })
})
