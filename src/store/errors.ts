import { NamedError } from '../util/errors.ts'
/** The data directory's database is locked: another running peerkeeper has it open. */
export class DataDirLockedError extends NamedError {}

/**
 * The database cannot be used as it is (fails to open, unknown schema version, a value that does not
 * decode). NodeStore.open moves such a database aside and starts a new one; callers see this error only
 * when that fails too.
 */
export class StoreCorruptError extends NamedError {}
