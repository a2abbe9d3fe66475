import { mkdir, stat, statfs } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { DataDirError } from './errors.ts'
import { accessError } from './os-errors.ts'

/**
 * Kernel file systems (statfs magic numbers) that take paths but cannot hold a database. Checked up
 * front because Node's recursive mkdir loops forever under /proc, which hung the node with no output.
 */
const VIRTUAL_FS_NAMES: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'], [0x62656572, 'sysfs'], [0x27e0eb, 'cgroup'], [0x63677270, 'cgroup2'], [0x1cd1, 'devpts'], [0x64626720, 'debugfs']
])

export interface CheckDataDirInit {
  /** A command that only reads refuses a missing directory instead of creating it. @default false */
  mustExist?: boolean
}

/**
 * Checks that `datadir` can be a data directory: a non-empty path whose nearest existing part is a
 * directory on a real file system (and, with mustExist, the directory itself exists). Returns the
 * directories that would have to be created, outermost first. Throws DataDirError naming the path.
 */
export async function checkDataDir (datadir: unknown, init: CheckDataDirInit = {}): Promise<string[]> {
  if (typeof datadir !== 'string') throw new DataDirError(`data directory ${JSON.stringify(datadir) ?? String(datadir)} is not a path`)
  if (datadir.trim() === '') throw new DataDirError('data directory path is empty')
  const full = resolve(datadir)
  const missing: string[] = []
  let existing = full
  for (;;) {
    const st = await stat(existing).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
      throw accessError(err, existing, 'look at') ?? err
    })
    if (st === undefined) {
      missing.unshift(existing)
      existing = dirname(existing)
      continue
    }
    if (!st.isDirectory()) {
      throw new DataDirError(existing === full
        ? `data directory ${full} is a file, not a directory`
        : `data directory ${full} cannot be made: ${existing} is a file, not a directory`)
    }
    break
  }
  const fsName = VIRTUAL_FS_NAMES.get((await statfs(existing)).type)
  if (fsName !== undefined) throw new DataDirError(`data directory ${full} is on the ${fsName} virtual file system, which cannot hold files; choose a directory on disk`)
  if (init.mustExist === true && missing.length > 0) throw new DataDirError(`data directory ${full} does not exist`)
  return missing
}

/** Checks `datadir` (checkDataDir) and creates it if missing, one level at a time. */
export async function ensureDataDir (datadir: string): Promise<void> {
  for (const dir of await checkDataDir(datadir)) {
    try {
      await mkdir(dir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue // made by someone else meanwhile
      throw accessError(err, dir, 'create directory') ?? err
    }
  }
}
