import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BanList } from '../../src/banlist/ban-list.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { classifyStoreError, osErrorCode } from '../../src/store/os-errors.ts'
import { systemClock } from '../../src/util/clock.ts'
import { dirTree, immutableUnsupported, withImmutable } from '../helpers/data-dir-tree.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i)

describe('NodeStore.open when the operating system refuses: reported as that, nothing moved or changed', () => {
  let root: string
  let datadir: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pk-store-os-'))
    datadir = join(root, 'data')
  })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  /** A data directory with a book key and one ban, closed. */
  async function populated (): Promise<void> {
    const store = await NodeStore.open(datadir, { clock: systemClock })
    await store.saveAddrBookKey(KEY)
    const bans = new BanList({ clock: systemClock })
    store.bindBanList(bans)
    bans.ban('10.9.9.9', { reason: 'kept' })
    await store.close()
  }

  /** Opens, expects `name` with a message matching `message`, no warning, and the tree under root unchanged. */
  async function expectRefused (name: string, message: RegExp): Promise<void> {
    const before = dirTree(root)
    const logger = recordingLogger()
    const err = await NodeStore.open(datadir, { events: logger, clock: systemClock }).then(async (s) => { await s.close(); return undefined }, (e: unknown) => e as Error)
    expect(err).toMatchObject({ name })
    expect(err?.message).toMatch(message)
    expect(err?.message).not.toContain('\n')
    expect(logger.records.filter((r) => r.level === 'warn')).toEqual([])
    expect(dirTree(root)).toEqual(before)
  }

  // Root ignores permission bits, so permission is denied with the immutable flag, which root obeys.
  const noChattr = immutableUnsupported(tmpdir())
  if (noChattr !== undefined) console.log(`skipping the chattr +i cases: ${noChattr}`)

  it.skipIf(noChattr !== undefined)('db/LOCK that cannot be opened for writing (EPERM)', async () => {
    await populated()
    const lock = join(datadir, 'db', 'LOCK')
    await withImmutable(lock, async () => {
      await expectRefused('StoreAccessError', new RegExp(`^cannot open database ${join(datadir, 'db')}: operation not permitted \\(IO error: ${lock}: Operation not permitted\\); make sure the user running peerkeeper owns it and may write it.*; nothing was moved or changed$`))
    })
    // And once the cause is fixed, everything is still there.
    const store = await NodeStore.open(datadir, { clock: systemClock })
    expect(store.movedAside).toBeUndefined()
    expect(store.takeContents().addrBookKey).toEqual(KEY)
    const bans = new BanList({ clock: systemClock })
    store.bindBanList(bans)
    expect(bans.list().map((e) => e.target)).toEqual(['10.9.9.9'])
    await store.close()
  })

  it.skipIf(noChattr !== undefined)('a db/ folder in which no file can be created (EPERM)', async () => {
    await populated()
    await withImmutable(join(datadir, 'db'), async () => {
      await expectRefused('StoreAccessError', /^cannot open database \S+\/db: operation not permitted \(IO error: \S+: Operation not permitted\)/)
    })
  })

  it.skipIf(noChattr !== undefined)('a data directory in which db/ cannot be created (EPERM)', async () => {
    mkdirSync(datadir)
    await withImmutable(datadir, async () => {
      await expectRefused('StoreAccessError', /^cannot open database \S+\/db: operation not permitted \(EPERM: operation not permitted, mkdir/)
    })
  })

  it('db that is a file', async () => {
    mkdirSync(datadir)
    writeFileSync(join(datadir, 'db'), 'not a database')
    await expectRefused('StoreAccessError', /^cannot open database \S+\/db: it is a file, not a directory; move it out of the way/)
  })

  it('a data directory that is a file', async () => {
    writeFileSync(datadir, 'not a directory')
    await expectRefused('DataDirError', /^data directory \S+\/data is a file, not a directory$/)
  })
})

describe('classifyStoreError', () => {
  const PATH = '/data/db'
  /** The error a real fs call fails with. */
  const realError = (fn: () => void): Error => {
    try {
      fn()
    } catch (err) {
      return err as Error
    }
    throw new Error('expected the call to fail')
  }

  it('takes a full disk for what it is (ENOSPC from a real write to /dev/full)', () => {
    const fd = openSync('/dev/full', 'w')
    const err = realError(() => writeSync(fd, 'x'))
    closeSync(fd)
    expect(osErrorCode(err)).toBe('ENOSPC')
    const classified = classifyStoreError(err, '/data', PATH, 'open')
    expect(classified).toMatchObject({ name: 'StoreAccessError' })
    expect(classified.message).toBe(`cannot open database ${PATH}: the disk is full (ENOSPC: no space left on device, write); free some space; nothing was moved or changed`)
  })

  // LevelDB reports OS errors as text ("IO error: <file>: <strerror>"); a full or read-only disk cannot
  // be made here without mounting one, so these messages are built the way LevelDB's env_posix builds them.
  it.each([
    ['No space left on device', 'ENOSPC', 'the disk is full'],
    ['Read-only file system', 'EROFS', 'the file system is read-only'],
    ['Input/output error', 'EIO', 'the disk reports an I/O error'],
    ['Permission denied', 'EACCES', 'permission denied']
  ])('reads LevelDB\'s "%s" as %s', (strerror, code, what) => {
    const err = new Error('Database failed to open', { cause: Object.assign(new Error(`IO error: ${PATH}/000005.log: ${strerror}`), { code: 'LEVEL_IO_ERROR' }) })
    expect(osErrorCode(err)).toBe(code)
    const classified = classifyStoreError(err, '/data', PATH, 'open')
    expect(classified.name).toBe('StoreAccessError')
    expect(classified.message).toContain(`cannot open database ${PATH}: ${what} (IO error: ${PATH}/000005.log: ${strerror})`)
  })

  it('keeps corruption, a lock and a bug apart', () => {
    const level = (code: string, message: string): Error => new Error('Database failed to open', { cause: Object.assign(new Error(message), { code }) })
    expect(classifyStoreError(level('LEVEL_CORRUPTION', 'Corruption: bad block'), '/data', PATH, 'open')).toMatchObject({ name: 'StoreCorruptError', message: 'failed to open: Corruption: bad block' })
    expect(classifyStoreError(level('LEVEL_LOCKED', 'IO error: lock /data/db/LOCK: already held by process'), '/data', PATH, 'open')).toMatchObject({ name: 'DataDirLockedError' })
    const bug = new TypeError('x is not a function')
    expect(classifyStoreError(bug, '/data', PATH, 'read')).toBe(bug)
  })
})
