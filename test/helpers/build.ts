import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Where the build's inputs live: TypeScript, and the bundle script (scripts/bundle-cli.mjs). */
const SOURCE_DIRS = ['src', 'bin', 'test', 'scripts']
const LOCK_DIR = join(ROOT, 'dist', '.build-lock')
/** A lock older than this was left by a killed build. */
const STALE_LOCK_MS = 120_000
const LOCK_POLL_MS = 200
/** The CLI as users run it: `npm run build`'s bundle of dist/bin/peerkeeper.js (scripts/bundle-cli.mjs). */
export const CLI_BUNDLE = join(ROOT, 'dist', 'cli', 'peerkeeper.js')

/** The built JavaScript of a TypeScript file of this repository (`src/x.ts` → `<root>/dist/src/x.js`). */
export function builtPath (tsPath: string): string {
  return join(ROOT, 'dist', tsPath.replace(/\.ts$/, '.js'))
}

/**
 * Makes sure the given built files and the CLI's bundle exist and are newer than every TypeScript source,
 * running `npm run build`'s two steps (tsc, then the bundle) when not (`npm test` builds first; a bare
 * `npx vitest run` may find dist missing or stale). Test files in parallel workers share one build through
 * a lock directory.
 */
export async function ensureFreshBuild (tsPaths: readonly string[]): Promise<void> {
  const outputs = [...tsPaths.map(builtPath), CLI_BUNDLE]
  for (;;) {
    if (isFresh(outputs)) return
    mkdirSync(join(ROOT, 'dist'), { recursive: true })
    try {
      mkdirSync(LOCK_DIR)
    } catch {
      if (Date.now() - mtimeMs(LOCK_DIR, Date.now()) > STALE_LOCK_MS) rmSync(LOCK_DIR, { recursive: true, force: true })
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS))
      continue
    }
    const startedMs = Date.now()
    try {
      if (!isFresh(outputs)) {
        await runTsc()
        await runNode([join(ROOT, 'scripts', 'bundle-cli.mjs')])
      }
    } finally {
      rmSync(LOCK_DIR, { recursive: true, force: true })
    }
    // Sources edited while tsc ran do not matter; outputs it did not write do.
    const missed = outputs.filter((f) => mtimeMs(f, -Infinity) < startedMs - 1_000)
    if (missed.length > 0 && !isFresh(outputs)) throw new Error(`the build did not write ${missed.join(', ')}`)
    return
  }
}

function runTsc (): Promise<void> {
  // tsc emits even when some file has a type error (another work in progress); freshness is checked after.
  return runNode([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT])
}

function runNode (args: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT }, () => { resolve() })
  })
}

function isFresh (outputs: readonly string[]): boolean {
  const oldestOutput = Math.min(...outputs.map((f) => mtimeMs(f, -Infinity)))
  return oldestOutput >= newestSource()
}

function newestSource (): number {
  let newest = 0
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.(ts|mjs)$/.test(entry.name)) newest = Math.max(newest, mtimeMs(path, 0))
    }
  }
  for (const dir of SOURCE_DIRS) walk(join(ROOT, dir))
  return newest
}

function mtimeMs (path: string, missing: number): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return missing
  }
}
