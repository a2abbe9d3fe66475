import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { lstatSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * LevelDB rewrites its diagnostic log (LOG, the previous one renamed LOG.old) at every attempt to open,
 * before anything can fail, and has no option to turn it off: it holds no data, so trees leave it out.
 */
const LEVELDB_DIAGNOSTIC_LOGS = new Set(['LOG', 'LOG.old'])

/**
 * Every entry under `dir` (recursively) with its type and mode, and for files their size, mtime and a
 * hash of their bytes, so a test can check that something left a directory exactly as it was (LevelDB's
 * diagnostic logs aside; a directory's own mtime is left out because they live in it).
 */
export function dirTree (dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string): void => {
    const full = join(dir, rel)
    const st = lstatSync(full)
    const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other'
    const hash = st.isFile() ? createHash('sha256').update(readFileSync(full)).digest('hex') : ''
    out[rel === '' ? '.' : rel] = st.isDirectory() ? `dir ${st.mode.toString(8)}` : `${kind} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${hash}`
    if (!st.isDirectory()) return
    for (const name of readdirSync(full).sort()) {
      if (!LEVELDB_DIAGNOSTIC_LOGS.has(name)) walk(rel === '' ? name : join(rel, name))
    }
  }
  walk('')
  return out
}

/**
 * Why `chattr +i` cannot be used here (not root, no chattr, or a file system without the flag), or
 * undefined when it can. Tests run as root, and root ignores permission bits but not the immutable flag.
 */
export function immutableUnsupported (probeDir: string): string | undefined {
  try {
    execFileSync('chattr', ['+i', probeDir], { stdio: 'pipe' })
    execFileSync('chattr', ['-i', probeDir], { stdio: 'pipe' })
    return undefined
  } catch (err) {
    return `chattr +i is not available here (${(err as Error).message.split('\n')[0] ?? ''})`
  }
}

/** Runs `fn` with `path` immutable (chattr +i), and always makes it mutable again. */
export async function withImmutable<T> (path: string, fn: () => Promise<T>): Promise<T> {
  execFileSync('chattr', ['+i', path], { stdio: 'pipe' })
  try {
    return await fn()
  } finally {
    execFileSync('chattr', ['-i', path], { stdio: 'pipe' })
  }
}
