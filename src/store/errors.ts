import { NamedError } from '../util/errors.ts'
/** The data directory's database is locked: another running peerkeeper has it open. */
export class DataDirLockedError extends NamedError {}

/**
 * The data directory path cannot be one: empty, a file, on a virtual file system such as /proc, or
 * (for a command that only reads) missing. A usage error: the message names the path, the CLI adds the flag.
 */
export class DataDirError extends NamedError {}

/**
 * The database or a file beside it cannot be opened, read or written for a reason of the operating
 * system (permission denied, a read-only file system, a full disk, an I/O error). Nothing is moved or
 * changed: the message says what to fix.
 */
export class StoreAccessError extends NamedError {}

/**
 * The database cannot be used as it is (LevelDB reports corruption, unknown schema version, a value
 * that does not decode). NodeStore.open moves such a database aside and starts a new one; callers see
 * this error only when that fails too, or from NodeStore.readSnapshot, which never moves anything.
 */
export class StoreCorruptError extends NamedError {}
