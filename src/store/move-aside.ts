import { existsSync } from 'node:fs'
import { rename } from 'node:fs/promises'

/**
 * Renames `path` to `<path>.corrupt-<UTC timestamp>` (with `-2`, `-3`, … if taken) and returns the new
 * path. Nothing is deleted: a database we cannot read may still hold something the user wants back.
 */
export async function moveAside (path: string, nowMs: number): Promise<string> {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('.', '')
  const base = `${path}.corrupt-${stamp}`
  let target = base
  for (let n = 2; existsSync(target); n++) target = `${base}-${n}`
  await rename(path, target)
  return target
}
