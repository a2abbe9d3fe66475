import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/** Directories made by tempDir in this test file; vitest evaluates helpers once per file. */
const made: string[] = []

/** A fresh directory `<tmp>/pk-<name>-XXXXXX`, removed with everything in it when the test file ends. */
export function tempDir (name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pk-${name}-`))
  made.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})
