import { DataDirLockedError, StoreAccessError, StoreCorruptError } from './errors.ts'

/** What an operating-system error means for a data directory, and what the operator can do about it. */
interface OsReason {
  /** The C library's strerror text, which LevelDB puts in its messages instead of the errno name. */
  strerror: string
  what: string
  advice: string
}

const OWNER_ADVICE = 'make sure the user running peerkeeper owns it and may write it'
const OS_REASONS: Readonly<Record<string, OsReason>> = {
  EACCES: { strerror: 'Permission denied', what: 'permission denied', advice: OWNER_ADVICE },
  EPERM: { strerror: 'Operation not permitted', what: 'operation not permitted', advice: `${OWNER_ADVICE}, and that nothing in it is immutable (lsattr)` },
  EROFS: { strerror: 'Read-only file system', what: 'the file system is read-only', advice: 'remount it read-write or choose a data directory on another file system' },
  ENOSPC: { strerror: 'No space left on device', what: 'the disk is full', advice: 'free some space' },
  EDQUOT: { strerror: 'Disk quota exceeded', what: 'the disk quota is exceeded', advice: 'free some space or raise the quota' },
  ENOTDIR: { strerror: 'Not a directory', what: 'a part of the path is a file, not a directory', advice: 'move that file out of the way' },
  EEXIST: { strerror: 'File exists', what: 'a file is in the way', advice: 'move that file out of the way' },
  EISDIR: { strerror: 'Is a directory', what: 'a directory is in the way', advice: 'move that directory out of the way' },
  EIO: { strerror: 'Input/output error', what: 'the disk reports an I/O error', advice: 'check the disk (dmesg) and copy the data directory off it' },
  EMFILE: { strerror: 'Too many open files', what: 'too many open files', advice: 'raise the open-file limit (ulimit -n)' },
  ENFILE: { strerror: 'Too many open files in system', what: 'too many open files in the system', advice: 'raise the system open-file limit' }
}

interface ErrorLike { code?: unknown, message?: unknown, cause?: ErrorLike }

/** The errno name of a Node fs error, or of a LevelDB "IO error: <file>: <strerror>" message; undefined if neither. */
export function osErrorCode (err: unknown): string | undefined {
  for (let e = err as ErrorLike | undefined; e !== undefined && e !== null; e = e.cause) {
    if (typeof e.code === 'string' && e.code in OS_REASONS) return e.code
    const text = typeof e.message === 'string' ? e.message : ''
    if (text.startsWith('IO error: ')) {
      const found = Object.entries(OS_REASONS).find(([, r]) => text.endsWith(`: ${r.strerror}`))
      if (found !== undefined) return found[0]
    }
  }
  return undefined
}

/** The innermost message of an error chain (LevelDB wraps the useful one in `cause`). */
function innermostMessage (err: unknown): string {
  let e = err as ErrorLike
  while (e.cause !== undefined && e.cause !== null) e = e.cause
  return typeof e.message === 'string' ? e.message : String(err)
}

/** A StoreAccessError for an OS error on `path`, or undefined when `err` is not one we know. */
export function accessError (err: unknown, path: string, doing: string): StoreAccessError | undefined {
  const code = osErrorCode(err)
  if (code === undefined) return undefined
  const reason = OS_REASONS[code] as OsReason
  return new StoreAccessError(`cannot ${doing} ${path}: ${reason.what} (${innermostMessage(err)}); ${reason.advice}; nothing was moved or changed`, { cause: err })
}

function levelCode (err: unknown): string | undefined {
  const e = err as ErrorLike
  const code = e.cause?.code ?? e.code
  return typeof code === 'string' ? code : undefined
}

/**
 * Sorts a failure to open or read the database into what it is: another process holds it
 * (DataDirLockedError), the operating system refuses (StoreAccessError: permissions, read-only or full
 * disk, I/O error, a file in the way), or the data is bad (StoreCorruptError: LevelDB reports corruption
 * or an unusable database). Only the last may be moved aside. Anything else is returned as it is: a bug
 * is not corruption.
 */
export function classifyStoreError (err: unknown, datadir: string, path: string, doing: 'open' | 'read'): Error {
  if (err instanceof StoreCorruptError || err instanceof StoreAccessError || err instanceof DataDirLockedError) return err
  const code = levelCode(err)
  if (code === 'LEVEL_LOCKED') {
    return new DataDirLockedError(`data directory ${datadir} is in use by another running peerkeeper (its database ${path} is locked)`)
  }
  if (code === 'LEVEL_CORRUPTION') return new StoreCorruptError(`failed to ${doing}: ${innermostMessage(err)}`)
  const access = accessError(err, path, `${doing} database`)
  if (access !== undefined) return access
  // LevelDB statuses without an OS error ("Invalid argument: … does not match existing comparator",
  // "Not implemented: …") mean a database this LevelDB cannot use.
  if (/^(Invalid argument|Not implemented): /.test(innermostMessage(err))) return new StoreCorruptError(`failed to ${doing}: ${innermostMessage(err)}`)
  return err instanceof Error ? err : new Error(String(err))
}
