import { open, readFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { BanEntry } from '../banlist/ban-list.ts'
import { decodeBanEntry } from './decode.ts'
import { StoreCorruptError } from './errors.ts'
import { accessError } from './os-errors.ts'

/** The second copy of the ban list beside `db/`, as Core keeps banlist.json beside its databases. */
export const BAN_FILE_NAME = 'banlist.json'

/** One copy of the ban list; `generation` counts ban writes, so the newer of two copies is known. */
export interface BanCopy {
  generation: number
  bans: BanEntry[]
}

export type BanFileRead =
  | { state: 'absent' }
  | { state: 'damaged', reason: string }
  | { state: 'ok', copy: BanCopy }

/** Reads banlist.json; a file that does not parse or check is 'damaged' (with the reason), not an error. */
export async function readBanFile (file: string): Promise<BanFileRead> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' }
    throw accessError(err, file, 'read') ?? err
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { state: 'damaged', reason: 'not JSON' }
  }
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  if (!Number.isSafeInteger(o.generation) || (o.generation as number) < 0 || !Array.isArray(o.bans)) {
    return { state: 'damaged', reason: 'expected {generation, bans}' }
  }
  try {
    const bans = o.bans.map((entry: unknown, i) => {
      const target = (entry as { target?: unknown } | null)?.target
      return decodeBanEntry(entry, typeof target === 'string' ? target : '', `ban ${i}`)
    })
    return { state: 'ok', copy: { generation: o.generation as number, bans } }
  } catch (err) {
    if (err instanceof StoreCorruptError) return { state: 'damaged', reason: err.message }
    throw err
  }
}

/**
 * Replaces banlist.json atomically: the new text goes to a temporary file that is fsynced, renamed over
 * the old one, and the directory fsynced, so a crash leaves either the old copy or the new one.
 */
export async function writeBanFile (file: string, copy: BanCopy): Promise<void> {
  const tmp = `${file}.tmp`
  try {
    const handle = await open(tmp, 'w', 0o644)
    try {
      await handle.writeFile(`${JSON.stringify(copy, null, 1)}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, file)
    const dir = await open(dirname(file), 'r')
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  } catch (err) {
    throw accessError(err, file, 'write') ?? err
  }
}
