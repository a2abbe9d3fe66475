import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BanList } from '../../src/banlist/ban-list.ts'
import { nullEventSink, type EventSink } from '../../src/util/event-bus.ts'
import type { StoreEventMap } from '../../src/store/events.ts'
import { addrPageKey, addrPageOf, encodeAddrPage } from '../../src/store/addr-codec.ts'
import { NodeStore, SCHEMA_VERSION } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import type { Clock } from '../../src/util/clock.ts'
import { addrRecordFor } from '../helpers/addr-records.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i)
const A = { network: 'ipv4', host: '10.0.0.1', port: 8333 } as const
const B = { network: 'ipv6', host: '2001:db8::1', port: 18444 } as const
const C = { network: 'ipv4', host: '10.0.0.3', port: 8333 } as const

/** The LevelDB key of the page that holds `key`, as a regular expression source. */
const pageOf = (key: string): string => addrPageKey(addrPageOf(key))

/** A clock standing still at `nowMs` (the store reads it only for names and ban times). */
function fixedClock (nowMs: number): Clock {
  return { ...systemClock, now: () => nowMs }
}

describe('NodeStore', () => {
  let datadir: string
  const open = async (clock: Clock = systemClock, logger: EventSink<StoreEventMap> = nullEventSink(), consumeAnchors?: boolean): Promise<NodeStore> =>
    await NodeStore.open(datadir, { events: logger, clock }, consumeAnchors === undefined ? {} : { consumeAnchors })

  beforeEach(() => { datadir = join(mkdtempSync(join(tmpdir(), 'pk-store-')), 'data') })
  afterEach(() => { rmSync(join(datadir, '..'), { recursive: true, force: true }) })

  it('creates the data directory and an empty database on first open', async () => {
    const store = await open()
    expect(store.path).toBe(join(datadir, 'db'))
    expect(store.movedAside).toBeUndefined()
    expect(store.takeContents()).toEqual({ addrBookKey: undefined, addrRecords: [], anchors: [] })
    expect(() => store.takeContents()).toThrow(/only once/)
    await store.close()
    const again = await open()
    expect(again.movedAside).toBeUndefined()
    await again.close()
  })

  it('keeps the book key, address records and deletions across a reopen', async () => {
    const store = await open()
    await store.saveAddrBookKey(KEY)
    await store.writeAddrChanges({ put: [0, 1, 2, 3].map((n) => addrRecordFor(n)), del: [] })
    await store.writeAddrChanges({ put: [addrRecordFor(1, 42)], del: [addrRecordFor(2).key, 'not-stored:1'] })
    await store.close()

    const reopened = await open()
    const { addrBookKey, addrRecords } = reopened.takeContents()
    expect(addrBookKey).toEqual(KEY)
    expect(addrRecords.map((r) => [r.key, r.time]).sort()).toEqual([
      ['10.0.0.0:8333', 1_700_000_000], ['10.0.0.1:8333', 42], ['10.0.0.3:8333', 1_700_000_000]
    ])
    await reopened.close()
  })

  it('writes bans at once, restores them into a ban list and deletes expired ones', async () => {
    let now = 1_000_000
    const clock: Clock = { ...systemClock, now: () => now }
    const store = await open(clock)
    const bans = new BanList({ clock })
    store.bindBanList(bans)
    bans.ban('10.1.0.0/16', { durationMs: 10_000, reason: 'subnet' })
    bans.ban('2001:db8::7', { durationMs: 1_000, reason: 'short' })
    bans.ban('10.9.9.9', { reason: 'lifted' })
    bans.unban('10.9.9.9')
    await store.close()

    now += 2_000 // the short ban has lapsed
    const second = await open(clock)
    const restored = new BanList({ clock })
    second.bindBanList(restored)
    expect(restored.list()).toEqual([{ target: '10.1.0.0/16', reason: 'subnet', createdMs: 1_000_000, expiresMs: 1_010_000 }])
    expect(restored.isBanned('10.1.2.3')).toBe(true)
    expect(() => second.bindBanList(new BanList({ clock }))).toThrow(/only once/)
    await second.close()

    // The expired ban was deleted from disk when it was dropped, not just skipped.
    const db = new Level<string, unknown>(join(datadir, 'db'), { valueEncoding: 'json' })
    const banKeys = await db.sublevel('ban').keys().all()
    await db.close()
    expect(banKeys).toEqual(['10.1.0.0/16'])
  })

  it('hands anchors over once (Core anchors.dat semantics), keeping at most two', async () => {
    const store = await open()
    await store.saveAnchors([A, B, C])
    await store.close()

    const peek = await open(systemClock, nullEventSink(), false)
    expect(peek.takeContents().anchors).toEqual([A, B])
    await peek.close()

    const start = await open()
    expect(start.takeContents().anchors).toEqual([A, B])
    await start.close()
    const next = await open()
    expect(next.takeContents().anchors).toEqual([])
    await next.close()
  })

  it('refuses a data directory held by another process, naming it, and leaves the database alone', async () => {
    const store = await open()
    await store.saveAddrBookKey(KEY)
    await store.close()
    const holder = spawn(process.execPath, ['--input-type=module', '-e',
      `import { Level } from 'level'; await new Level(${JSON.stringify(join(datadir, 'db'))}).open(); console.log('held'); setInterval(() => {}, 1000)`],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', () => { resolve() })
        holder.on('exit', (code) => { reject(new Error(`holder exited with ${String(code)}`)) })
      })
      const logger = recordingLogger()
      const err = await open(systemClock, logger).then(() => undefined, (e: unknown) => e as Error)
      expect(err).toMatchObject({ name: 'DataDirLockedError' })
      expect(err?.message).toContain(`data directory ${datadir} is in use by another running peerkeeper`)
      expect(readdirSync(join(datadir, '..'))).toEqual(['data'])
      expect(readdirSync(datadir)).toEqual(['db'])
      expect(logger.records.filter((r) => r.level === 'warn')).toEqual([])
    } finally {
      holder.kill('SIGKILL')
      await new Promise((resolve) => holder.once('exit', resolve))
    }
    const after = await open()
    expect(after.takeContents().addrBookKey).toEqual(KEY)
    await after.close()
  })

  it('refuses a second open in the same process too', async () => {
    const store = await open()
    await expect(open()).rejects.toMatchObject({ name: 'DataDirLockedError' })
    await store.close()
  })

  describe('a database it cannot use is moved aside, with a warning naming it, and a new one started', () => {
    const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 6)
    const ASIDE = 'db.corrupt-20260102T030405006Z'

    async function expectMovedAside (reason: RegExp): Promise<void> {
      const logger = recordingLogger()
      const store = await open(fixedClock(NOW), logger)
      const path = join(datadir, 'db')
      expect(store.movedAside).toBe(join(datadir, ASIDE))
      expect(store.takeContents()).toEqual({ addrBookKey: undefined, addrRecords: [], anchors: [] })
      await store.close()
      const warnings = logger.records.filter((r) => r.level === 'warn')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]?.event).toBe('store_moved_aside')
      expect(warnings[0]?.message).toContain(`database ${path} cannot be used`)
      expect(warnings[0]?.message).toContain(join(datadir, ASIDE))
      expect(warnings[0]?.message).toMatch(reason)
      // Nothing was deleted: the old files are all still there.
      expect(readdirSync(join(datadir, ASIDE))).toEqual(expect.arrayContaining(['CURRENT', 'LOCK']))
    }

    async function withRawDb (fn: (db: Level<string, string>) => Promise<void>): Promise<void> {
      const store = await open()
      await store.saveAddrBookKey(KEY)
      await store.close()
      const db = new Level<string, string>(join(datadir, 'db'))
      await fn(db)
      await db.close()
    }

    it('when LevelDB cannot open it', async () => {
      await withRawDb(async () => {})
      writeFileSync(join(datadir, 'db', 'CURRENT'), 'garbage')
      await expectMovedAside(/failed to open: Corruption/)
    })

    it('when its schema version is unknown', async () => {
      await withRawDb(async (db) => { await db.sublevel('meta').put('schema', String(SCHEMA_VERSION + 1)) })
      await expectMovedAside(new RegExp(`unknown schema version ${SCHEMA_VERSION + 1} \\(this peerkeeper reads version ${SCHEMA_VERSION}\\)`))
    })

    it('when it is a version 1 database (one record per address)', async () => {
      await withRawDb(async (db) => {
        await db.sublevel('meta').put('schema', '1')
        await db.sublevel('addr').put('10.0.0.1:8333', JSON.stringify(['ipv4', '10.0.0.1', 8333, '1', null, 1, 0, 0, 0, 0, false, [5], null]))
      })
      await expectMovedAside(/unknown schema version 1 \(this peerkeeper reads version 2\)/)
    })

    it('when it holds data but no schema version', async () => {
      await withRawDb(async (db) => { await db.sublevel('meta').del('schema') })
      await expectMovedAside(/holds data but no schema version/)
    })

    it('when an address page is not JSON', async () => {
      const page = pageOf('10.0.0.1:8333')
      await withRawDb(async (db) => { await db.sublevel('addr').put(page, '[["10.0.0.1:8333",') })
      await expectMovedAside(new RegExp(`addr/${page}: not JSON`))
    })

    it('when an address record has the wrong shape, naming the record and field', async () => {
      const record = addrRecordFor(1)
      const page = pageOf(record.key)
      await withRawDb(async (db) => { await db.sublevel('addr').put(page, encodeAddrPage([{ ...record, attempts: -1 }])) })
      await expectMovedAside(new RegExp(`addr/${page} record "10\\.0\\.0\\.1:8333": field "attempts" must be a non-negative integer`))
    })

    it('when an address record is stored in another page', async () => {
      const record = addrRecordFor(1)
      const wrong = addrPageKey((addrPageOf(record.key) + 1) % 4096)
      await withRawDb(async (db) => { await db.sublevel('addr').put(wrong, encodeAddrPage([record])) })
      await expectMovedAside(new RegExp(`addr/${wrong} record "10\\.0\\.0\\.1:8333": belongs in page ${pageOf(record.key)}`))
    })

    it('when an address record is an object of the wrong kind', async () => {
      const page = pageOf('10.0.0.1:8333')
      await withRawDb(async (db) => { await db.sublevel('addr').put(page, JSON.stringify([addrRecordFor(1)])) })
      await expectMovedAside(new RegExp(`addr/${page} record 0: expected an array of 9 or 10 fields`))
    })

    it('when the address records hold a key that is not a page', async () => {
      await withRawDb(async (db) => { await db.sublevel('addr').put('10.0.0.1:8333', encodeAddrPage([addrRecordFor(1)])) })
      await expectMovedAside(/addr\/10\.0\.0\.1:8333: not a page key/)
    })
    it('when a ban does not decode', async () => {
      await withRawDb(async (db) => { await db.sublevel('ban').put('1.2.3.4', JSON.stringify({ target: '1.2.3.4/99', reason: '', createdMs: 0, expiresMs: 1 })) })
      await expectMovedAside(/ban\/1\.2\.3\.4: ban target "1\.2\.3\.4\/99"/)
    })

    it('when anchors or the book key do not decode', async () => {
      await withRawDb(async (db) => { await db.sublevel('meta').put('anchors', JSON.stringify(['10.0.0.1'])) })
      await expectMovedAside(/meta\/anchors: "10\.0\.0\.1" is not an address with a port/)
    })

    it('when it holds address records without their book key', async () => {
      await withRawDb(async (db) => {
        await db.sublevel('meta').del('addrbook-key')
        await db.sublevel('addr').put(pageOf(addrRecordFor(1).key), encodeAddrPage([addrRecordFor(1)]))
      })
      await expectMovedAside(/1 address records but no address-book key/)
    })

    it('picks a fresh name when the first is taken', async () => {
      await withRawDb(async () => {})
      writeFileSync(join(datadir, 'db', 'CURRENT'), 'garbage')
      await (await open(fixedClock(NOW))).close()
      writeFileSync(join(datadir, 'db', 'CURRENT'), 'garbage')
      const store = await open(fixedClock(NOW))
      expect(store.movedAside).toBe(join(datadir, `${ASIDE}-2`))
      await store.close()
      expect(existsSync(join(datadir, ASIDE))).toBe(true)
    })
  })

  it('rejects writes after close', async () => {
    const store = await open()
    await store.close()
    await store.close()
    await expect(store.saveAddrBookKey(KEY)).rejects.toThrow(/is closed/)
  })
})
