/** The data directory's database is locked: another running peerkeeper has it open. */
export class DataDirLockedError extends Error {
  static override name = 'DataDirLockedError'
  constructor (message: string) {
    super(message)
    this.name = 'DataDirLockedError'
  }
}

/**
 * The database cannot be used as it is (fails to open, unknown schema version, a value that does not
 * decode). NodeStore.open moves such a database aside and starts a new one; callers see this error only
 * when that fails too.
 */
export class StoreCorruptError extends Error {
  static override name = 'StoreCorruptError'
  constructor (message: string) {
    super(message)
    this.name = 'StoreCorruptError'
  }
}
