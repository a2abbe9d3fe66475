import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BanList } from '../../src/banlist/ban-list.ts'
import type { BanEntry } from '../../src/banlist/ban-list.ts'
import { nullEventSink, type EventSink } from '../../src/util/event-bus.ts'
import type { StoreEventMap } from '../../src/store/events.ts'
import { mergeBanCopies } from '../../src/store/ban-merge.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'

const TARGETS = Array.from({ length: 12 }, (_, i) => `10.7.0.${i + 1}`)

describe('banlist.json: a second copy of the bans, cross-checked at open', () => {
  let datadir: string
  beforeEach(() => { datadir = join(mkdtempSync(join(tmpdir(), 'pk-bancopy-')), 'data') })
  afterEach(() => { rmSync(join(datadir, '..'), { recursive: true, force: true }) })

  const banFile = (): string => join(datadir, 'banlist.json')

  /** Opens the store, binds a ban list, runs `fn` on it (each change acknowledged), and closes. */
  async function withBans (fn: (bans: BanList) => void | Promise<void>, logger: EventSink<StoreEventMap> = nullEventSink()): Promise<void> {
    const store = await NodeStore.open(datadir, { events: logger, clock: systemClock })
    const bans = new BanList({ clock: systemClock })
    store.bindBanList(bans)
    await fn(bans)
    await store.bansSaved()
    await store.close()
  }

  /** The bans NodeStore.open hands to a ban list, and what it logged. */
  async function reopen (): Promise<{ targets: string[], warnings: Array<{ event?: string, message: string }> }> {
    const logger = recordingLogger()
    const store = await NodeStore.open(datadir, { events: logger, clock: systemClock })
    const bans = new BanList({ clock: systemClock })
    store.bindBanList(bans)
    await store.close()
    return { targets: bans.list().map((e) => e.target).sort(), warnings: logger.records.filter((r) => r.level === 'warn') }
  }

  /** What LevelDB alone holds under `ban` (LevelDB drops a torn log tail when it opens). */
  async function levelBans (): Promise<string[]> {
    const db = new Level<string, unknown>(join(datadir, 'db'), { valueEncoding: 'json' })
    const keys = await db.sublevel('ban').keys().all()
    await db.close()
    return keys.sort()
  }

  /** LevelDB's write-ahead log: the only .log file, as the store never ran long enough to compact. */
  function logFile (): string {
    const logs = readdirSync(join(datadir, 'db')).filter((n) => n.endsWith('.log'))
    expect(logs).toHaveLength(1)
    return join(datadir, 'db', logs[0] ?? '')
  }

  /** Cuts the write-ahead log half-way between `fromBytes` and its end, as a torn or damaged disk would. */
  function truncateLogHalfway (fromBytes = 0): void {
    const log = logFile()
    truncateSync(log, fromBytes + Math.floor((statSync(log).size - fromBytes) / 2))
  }

  it('keeps every acknowledged ban when half of LevelDB\'s write-ahead log is lost, and warns', async () => {
    await withBans(async (bans) => {
      for (const target of TARGETS) {
        bans.ban(target, { reason: 'flood' })
        await new Promise((resolve) => setImmediate(resolve)) // one write per ban: many log records
      }
    })
    truncateLogHalfway()
    // The damage is real: LevelDB alone has lost some of the bans (and opens "fine").
    const inLevel = await levelBans()
    expect(inLevel.length).toBeLessThan(TARGETS.length)

    const { targets, warnings } = await reopen()
    expect(targets).toEqual([...TARGETS].sort())
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.event).toBe('store_bans_recovered')
    expect(warnings[0]?.message).toContain(`${join(datadir, 'db')} had lost ban changes that ${banFile()} kept`)
    expect(warnings[0]?.message).toContain(`restored ${TARGETS.length - inLevel.length} (`)
    // The database was repaired: the next open has nothing to say.
    expect((await levelBans())).toEqual([...TARGETS].sort())
    expect((await reopen()).warnings).toEqual([])
  })

  it('keeps a lifted ban lifted when the write that lifted it is lost from the log', async () => {
    const store = await NodeStore.open(datadir, { clock: systemClock })
    const bans = new BanList({ clock: systemClock })
    store.bindBanList(bans)
    for (const target of TARGETS) bans.ban(target)
    await store.bansSaved()
    const bannedBytes = statSync(logFile()).size
    for (const target of TARGETS.slice(0, 6)) {
      bans.unban(target)
      await store.bansSaved() // one write per unban: many log records
    }
    await store.close()
    truncateLogHalfway(bannedBytes)
    expect((await levelBans()).length).toBeGreaterThan(6) // LevelDB alone has lost some of the unbans
    const { targets, warnings } = await reopen()
    expect(targets).toEqual(TARGETS.slice(6).sort())
    expect(warnings[0]?.message).toMatch(/lifted \d+ that had been lifted since/)
  })

  it('restores the bans from banlist.json when the database is corrupt and moved aside', async () => {
    await withBans((bans) => { bans.ban('10.7.7.7', { reason: 'kept' }) })
    writeFileSync(join(datadir, 'db', 'CURRENT'), 'garbage')
    const { targets, warnings } = await reopen()
    expect(targets).toEqual(['10.7.7.7'])
    expect(warnings.map((w) => w.event)).toEqual(['store_moved_aside', 'store_bans_recovered'])
  })

  it('moves a damaged banlist.json aside with a warning, keeps the database\'s bans and writes a new copy', async () => {
    await withBans((bans) => { bans.ban('10.7.7.8') })
    writeFileSync(banFile(), '{"generation": 1, "bans": [')
    const { targets, warnings } = await reopen()
    expect(targets).toEqual(['10.7.7.8'])
    expect(warnings.map((w) => w.event)).toEqual(['store_ban_file_damaged'])
    expect(warnings[0]?.message).toMatch(/banlist\.json cannot be used \(not JSON\); moved it to \S+banlist\.json\.corrupt-\d{8}T\d{9}Z; the 1 bans in \S+ are kept$/)
    expect(readdirSync(datadir).filter((n) => n.startsWith('banlist.json.corrupt-'))).toHaveLength(1)
    expect(JSON.parse(readFileSync(banFile(), 'utf8'))).toMatchObject({ bans: [{ target: '10.7.7.8' }] })
  })

  it('says so when banlist.json went missing, and writes it again', async () => {
    await withBans((bans) => { bans.ban('10.7.7.9') })
    unlinkSync(banFile())
    const { targets, warnings } = await reopen()
    expect(targets).toEqual(['10.7.7.9'])
    expect(warnings.map((w) => w.event)).toEqual(['store_ban_file_damaged'])
    expect(existsSync(banFile())).toBe(true)
  })

  it('writes a burst of bans as one write to each copy, acknowledged together', async () => {
    await withBans((bans) => { for (let i = 0; i < 100; i++) bans.ban(`10.8.0.${i}`) })
    const after = JSON.parse(readFileSync(banFile(), 'utf8')) as { generation: number, bans: BanEntry[] }
    expect(after.bans).toHaveLength(100)
    expect(after.generation).toBe(1)
  })
})

describe('mergeBanCopies', () => {
  const entry = (target: string, expiresMs = 10): BanEntry => ({ target, reason: 'r', createdMs: 1, expiresMs })

  it('trusts the copy with the higher generation', () => {
    const db = { generation: 3, bans: [entry('1.1.1.1'), entry('2.2.2.2')] }
    const file = { generation: 5, bans: [entry('2.2.2.2'), entry('3.3.3.3')] }
    expect(mergeBanCopies(db, file)).toMatchObject({ outcome: 'file-newer', recovered: ['3.3.3.3'], dropped: ['1.1.1.1'], writeDb: true, writeFile: false })
    expect(mergeBanCopies(file, db)).toMatchObject({ outcome: 'db-newer', recovered: [], dropped: [], writeDb: false, writeFile: true })
  })

  it('keeps the union, longest ban first, when both copies claim the same generation', () => {
    const merged = mergeBanCopies({ generation: 4, bans: [entry('1.1.1.1', 50), entry('2.2.2.2')] }, { generation: 4, bans: [entry('1.1.1.1', 20), entry('3.3.3.3')] })
    expect(merged).toMatchObject({ outcome: 'union', generation: 5, recovered: ['3.3.3.3'], dropped: [], writeDb: true, writeFile: true })
    expect(merged.bans.map((e) => [e.target, e.expiresMs])).toEqual([['1.1.1.1', 50], ['2.2.2.2', 10], ['3.3.3.3', 10]])
  })

  it('writes no file for a new, empty database', () => {
    expect(mergeBanCopies({ generation: 0, bans: [] }, undefined)).toMatchObject({ outcome: 'db-newer', writeFile: false })
  })
})
