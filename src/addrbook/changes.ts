import type { AddrRecord, AddrChanges } from './record.ts'
import type { AddrTables } from './tables.ts'

/** What changed in the book since the store last took its changes, so a save writes only those. */
export class ChangeSet {
  private readonly dirty = new Set<string>()
  private readonly deleted = new Set<string>()

  /** The entry under `key` changed and must be written. */
  changed (key: string): void {
    this.dirty.add(key)
  }

  /** The entry under `key` left the book; `persisted` says whether the store may hold it. */
  removed (key: string, persisted: boolean): void {
    this.dirty.delete(key)
    if (persisted) this.deleted.add(key)
  }

  /** The records to write and keys to delete, read from `tables`; starts a new change set. */
  take (tables: AddrTables): AddrChanges {
    const put: AddrRecord[] = []
    for (const key of this.dirty) {
      const entry = tables.get(key)
      if (entry !== undefined) put.push(entry.toRecord())
    }
    // A key removed and then added again before this call is written, not deleted.
    const del = [...this.deleted].filter((key) => !tables.has(key))
    this.clear()
    return { put, del }
  }

  clear (): void {
    this.dirty.clear()
    this.deleted.clear()
  }
}
