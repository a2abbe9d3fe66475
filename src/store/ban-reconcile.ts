import { join } from 'node:path'
import type { BanEntry } from '../banlist/ban-list.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { StoreEventMap } from './events.ts'
import type { Clock } from '../util/clock.ts'
import { BAN_FILE_NAME, readBanFile, writeBanFile } from './ban-file.ts'
import { mergeBanCopies } from './ban-merge.ts'
import { moveAside } from './move-aside.ts'
import { accessError } from './os-errors.ts'
import { META_BAN_GENERATION, subs, writeBatch } from './store-db.ts'
import type { Db, Loaded, WriteOp } from './store-db.ts'

/** How many targets a warning lists before "and N more". */
const MAX_TARGETS_NAMED = 10

export interface ReconcileOptions {
  /** Repair the stale copy (and move a damaged banlist.json aside); false reads only. */
  write: boolean
  /** The open database, needed to write. */
  db?: Db
}

export function named (targets: readonly string[]): string {
  const shown = targets.slice(0, MAX_TARGETS_NAMED).join(', ')
  return targets.length > MAX_TARGETS_NAMED ? `${shown} and ${targets.length - MAX_TARGETS_NAMED} more` : shown
}

/**
 * Cross-checks the bans read from the database with banlist.json (ban-merge.ts), warns when either
 * copy had lost something, and with `write` brings the stale copy up to date. Returns the bans to use.
 */
export async function reconcileBans (datadir: string, loaded: Loaded, components: { events: EventSink<StoreEventMap>, clock: Clock }, options: ReconcileOptions): Promise<{ bans: BanEntry[], generation: number }> {
  const { events, clock } = components
  const file = join(datadir, BAN_FILE_NAME)
  const path = join(datadir, 'db')
  const read = await readBanFile(file)
  if (read.state === 'damaged' || (read.state === 'absent' && loaded.banGeneration > 0)) {
    const reason = read.state === 'damaged' ? read.reason : 'missing'
    const movedTo = read.state === 'damaged' && options.write ? await moveAside(file, clock.now()) : undefined
    events.emit('store_ban_file_damaged', { path: file, reason, ...(movedTo === undefined ? {} : { movedTo }), database: path, kept: loaded.bans.length })
  }
  const merge = mergeBanCopies({ generation: loaded.banGeneration, bans: loaded.bans }, read.state === 'ok' ? read.copy : undefined)
  if (merge.recovered.length > 0 || merge.dropped.length > 0) {
    events.emit('store_bans_recovered', {
      path, file, outcome: merge.outcome, recovered: merge.recovered, dropped: merge.dropped, generation: merge.generation, dbGeneration: loaded.banGeneration
    })
  }
  if (options.write && options.db !== undefined) {
    if (merge.writeDb) await rewriteDbBans(options.db, path, loaded.bans, merge.bans, merge.generation)
    if (merge.writeFile) await writeBanFile(file, { generation: merge.generation, bans: merge.bans })
  }
  return { bans: merge.bans, generation: merge.generation }
}

async function rewriteDbBans (db: Db, path: string, stored: BanEntry[], bans: BanEntry[], generation: number): Promise<void> {
  const { ban, meta } = subs(db)
  const keep = new Set(bans.map((e) => e.target))
  const ops: WriteOp[] = [
    ...stored.filter((e) => !keep.has(e.target)).map((e): WriteOp => ({ type: 'del', sublevel: ban, key: e.target })),
    ...bans.map((e): WriteOp => ({ type: 'put', sublevel: ban, key: e.target, value: e })),
    { type: 'put', sublevel: meta, key: META_BAN_GENERATION, value: generation }
  ]
  await writeBatch(db, ops).catch((err: unknown) => { throw accessError(err, path, 'write database') ?? err })
}
