import type { BanEntry } from '../banlist/ban-list.ts'
import type { BanCopy } from './ban-file.ts'

/**
 * How the two copies compared: equal; banlist.json newer (LevelDB lost ban writes, e.g. a damaged log);
 * the database newer (a crash between the two writes, or the file was lost); or the same generation
 * with different bans (both damaged: their union is kept).
 */
export type BanMergeOutcome = 'same' | 'file-newer' | 'db-newer' | 'union'

export interface BanMerge {
  outcome: BanMergeOutcome
  bans: BanEntry[]
  generation: number
  /** Targets whose ban the database lacked or held differently, taken from banlist.json. */
  recovered: string[]
  /** Targets the database held that the newer banlist.json does not (lifted after the database's copy). */
  dropped: string[]
  writeDb: boolean
  writeFile: boolean
}

const same = (a: BanEntry, b: BanEntry | undefined): boolean =>
  b !== undefined && a.reason === b.reason && a.createdMs === b.createdMs && a.expiresMs === b.expiresMs

/**
 * Decides which copy of the ban list to trust. Both are written with the same generation for each
 * change, so the higher generation has every change the other has; with no file, the database is it.
 */
export function mergeBanCopies (db: BanCopy, file: BanCopy | undefined): BanMerge {
  const dbByTarget = new Map(db.bans.map((e) => [e.target, e]))
  const none = { recovered: [], dropped: [] }
  if (file === undefined || db.generation > file.generation) {
    return { outcome: 'db-newer', bans: db.bans, generation: db.generation, ...none, writeDb: false, writeFile: file !== undefined || db.generation > 0 || db.bans.length > 0 }
  }
  const fileByTarget = new Map(file.bans.map((e) => [e.target, e]))
  const recovered = file.bans.filter((e) => !same(e, dbByTarget.get(e.target))).map((e) => e.target)
  const dropped = db.bans.filter((e) => !fileByTarget.has(e.target)).map((e) => e.target)
  if (file.generation > db.generation) {
    return { outcome: 'file-newer', bans: file.bans, generation: file.generation, recovered, dropped, writeDb: true, writeFile: false }
  }
  if (recovered.length === 0 && dropped.length === 0) {
    return { outcome: 'same', bans: db.bans, generation: db.generation, ...none, writeDb: false, writeFile: false }
  }
  // Same generation, different bans: neither can be trusted over the other, so nothing is unbanned.
  const union = new Map(dbByTarget)
  for (const e of file.bans) {
    const held = union.get(e.target)
    if (held === undefined || e.expiresMs > held.expiresMs) union.set(e.target, e)
  }
  const unionRecovered = recovered.filter((t) => union.get(t) === fileByTarget.get(t))
  return { outcome: 'union', bans: [...union.values()], generation: db.generation + 1, recovered: unionRecovered, dropped: [], writeDb: true, writeFile: true }
}
