import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkDataDir, ensureDataDir } from '../../src/store/data-dir.ts'

describe('checkDataDir', () => {
  let root: string
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'pk-datadir-')) })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  const refusal = async (datadir: unknown, mustExist = false): Promise<Error | undefined> =>
    await checkDataDir(datadir, { mustExist }).then(() => undefined, (err: unknown) => err as Error)

  it.each<[unknown, string]>([
    ['', 'data directory path is empty'],
    ['  ', 'data directory path is empty'],
    [['a', 'b'], 'data directory ["a","b"] is not a path'],
    [undefined, 'data directory undefined is not a path']
  ])('refuses %j', async (datadir, message) => {
    expect(await refusal(datadir)).toMatchObject({ name: 'DataDirError', message })
  })

  it('refuses a file, and a path under a file, naming the file', async () => {
    const file = join(root, 'file')
    writeFileSync(file, 'x')
    expect(await refusal(file)).toMatchObject({ name: 'DataDirError', message: `data directory ${file} is a file, not a directory` })
    expect(await refusal(join(file, 'a', 'b'))).toMatchObject({ message: `data directory ${join(file, 'a', 'b')} cannot be made: ${file} is a file, not a directory` })
  })

  // Node's recursive mkdir never returns under /proc: this is what hung `peerkeeper run --datadir /proc/...`.
  it.each([['/proc/pk-test/data', 'proc'], ['/proc/self/pk-test', 'proc'], ['/sys/pk-test', 'sysfs']])('refuses %s, on the %s virtual file system, at once', async (datadir, fs) => {
    expect(await refusal(datadir)).toMatchObject({ name: 'DataDirError', message: `data directory ${datadir} is on the ${fs} virtual file system, which cannot hold files; choose a directory on disk` })
  })

  it('returns what is missing, outermost first; refuses a missing one when it must exist', async () => {
    const deep = join(root, 'a', 'b')
    expect(await checkDataDir(deep)).toEqual([join(root, 'a'), deep])
    expect(await checkDataDir(root)).toEqual([])
    expect(await refusal(deep, true)).toMatchObject({ name: 'DataDirError', message: `data directory ${deep} does not exist` })
    expect(await checkDataDir('relative/dir')).toEqual(expect.arrayContaining([resolve('relative/dir')]))
  })

  it('ensureDataDir creates the missing levels', async () => {
    const deep = join(root, 'a', 'b', 'c')
    await ensureDataDir(deep)
    expect(existsSync(deep)).toBe(true)
    await ensureDataDir(deep)
  })
})
