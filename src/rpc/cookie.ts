import { open, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CookieError } from './errors.ts'
import type { UserPassword } from './auth.ts'

/** Core's names: `<datadir>/.cookie` holding `__cookie__:<64 hex>`. */
export const COOKIE_FILE = '.cookie'
export const COOKIE_USER = '__cookie__'
/** Owner read/write only: the cookie is a password. */
const COOKIE_MODE = 0o600

export function cookiePath (datadir: string): string {
  return join(datadir, COOKIE_FILE)
}

/**
 * Writes the cookie for `password` atomically: a temporary file created with mode 0600 (never readable
 * by others, even for a moment), then renamed over `.cookie`. Returns the path.
 */
export async function writeCookie (datadir: string, password: string): Promise<string> {
  const path = cookiePath(datadir)
  const tmp = `${path}.tmp`
  await rm(tmp, { force: true })
  const file = await open(tmp, 'wx', COOKIE_MODE)
  try {
    await file.writeFile(`${COOKIE_USER}:${password}`)
    await file.chmod(COOKIE_MODE)
  } finally {
    await file.close()
  }
  await rename(tmp, path)
  return path
}

/** Removes the cookie if it is still the one this process wrote (Core removes only its own). */
export async function removeCookie (path: string, password: string): Promise<void> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return
  }
  if (text.trim() === `${COOKIE_USER}:${password}`) await rm(path, { force: true })
}

/** The login in a data directory's cookie; undefined when there is no cookie file. */
export async function readCookie (datadir: string): Promise<UserPassword | undefined> {
  const path = cookiePath(datadir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CookieError(`cannot read the RPC cookie ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  const line = text.split('\n')[0]?.trim() ?? ''
  const colon = line.indexOf(':')
  if (colon <= 0) throw new CookieError(`${path}: not an RPC cookie (expected USER:PASSWORD on its first line)`)
  return { user: line.slice(0, colon), password: line.slice(colon + 1) }
}
