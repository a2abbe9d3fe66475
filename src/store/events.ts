import type { BanMergeOutcome } from './ban-merge.ts'

/** The data directory's events (names and fields are the JSON log's; see docs/events.md). */
export interface StoreEventMap {
  store_opened: { readonly path: string, readonly addrRecords: number, readonly bans: number, readonly anchors: number }
  /** A corrupt database was renamed and an empty one started. */
  store_moved_aside: { readonly path: string, readonly movedTo: string, readonly reason: string }
  store_write_failed: { readonly path: string, readonly what: 'bans' | 'anchors', readonly error: string }
  /** banlist.json could not be used; the database's bans are kept. */
  store_ban_file_damaged: { readonly path: string, readonly reason: string, readonly movedTo?: string, readonly database: string, readonly kept: number }
  /** The two copies of the bans disagreed and were reconciled. */
  store_bans_recovered: {
    readonly path: string
    readonly file: string
    readonly outcome: BanMergeOutcome
    /** Targets restored from the newer copy, and targets lifted since. */
    readonly recovered: readonly string[]
    readonly dropped: readonly string[]
    /** The reconciled generation, and the database's before. */
    readonly generation: number
    readonly dbGeneration: number
  }
  /** An address-book flush failed; its changes are kept for the next one. */
  addrbook_flush_failed: { readonly put: number, readonly del: number, readonly error: string }
  /** An address-book flush wrote its changes (only flushes with something to write). */
  addrbook_flushed: { readonly put: number, readonly del: number, readonly durationMs: number }
}
