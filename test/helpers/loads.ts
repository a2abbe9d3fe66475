import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { sourceModules } from './bundle-map.ts'
import { tempDir } from './temp-dir.ts'

const PRELOAD_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'preload')

/** NODE_OPTIONS that preload one of test/helpers/preload/*.mjs into a child process. */
export function preloadOptions (file: 'record-loads.mjs' | 'warn-on-sigusr2.mjs'): string {
  return `--import ${pathToFileURL(join(PRELOAD_DIR, file)).href}`
}

export interface Loads {
  /** URLs of the ESM files the process loaded (the CLI's bundle: its entry and chunks). */
  readonly files: string[]
  /** URLs of the modules those files hold: each chunk of the CLI's bundle mapped to its source modules (tsc's output, node_modules files). */
  readonly modules: string[]
  /** Paths of the CommonJS modules it loaded (through require, or imported from ESM). */
  readonly commonjs: string[]
  /** Native addons the process opened. */
  readonly addons: string[]
  /** Peak resident set size, KiB. */
  readonly maxRssKb: number
  /** The capacity of V8's new space (both semi-spaces) when the process exited, bytes. */
  readonly newSpaceBytes: number
}

/** Environment that makes the built CLI record what it loads; `read()` after it exited. */
export function recordLoads (): { env: Record<string, string>, read: () => Loads } {
  const out = join(tempDir('loads'), 'loads.json')
  return {
    env: { NODE_OPTIONS: preloadOptions('record-loads.mjs'), PK_TEST_LOADS_OUT: out },
    read: () => {
      const recorded = JSON.parse(readFileSync(out, 'utf8')) as Omit<Loads, 'files'>
      return { ...recorded, files: recorded.modules, modules: sourceModules(recorded.modules) }
    }
  }
}

/** The packages (node_modules/<name>) among the loaded modules, each once. */
export function loadedPackages (loads: Loads): string[] {
  const names = [...loads.modules, ...loads.commonjs].map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]).filter((n): n is string => n !== undefined)
  return [...new Set(names)].sort()
}
