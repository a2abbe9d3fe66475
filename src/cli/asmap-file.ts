import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { AsmapError } from '../addrbook/errors.ts'
import { parseAsmap, type Asmap } from '../addrbook/asmap.ts'
import { expandHome } from './paths.ts'

/** An asmap file longer than this is not one (Core's full map is about 1.5 MB). */
const MAX_ASMAP_BYTES = 64 * 1024 * 1024

/** Reads and checks an asmap file; a relative path is taken from the data directory, as Core does. */
export function loadAsmap (file: string, datadir: string): Asmap {
  const expanded = expandHome(file)
  const path = isAbsolute(expanded) ? expanded : join(datadir, expanded)
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (err) {
    throw new AsmapError(`${path}: cannot read asmap file (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  if (bytes.length > MAX_ASMAP_BYTES) throw new AsmapError(`${path}: ${bytes.length} bytes is too large for an asmap file`)
  return parseAsmap(bytes, path)
}
