import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, found from this file. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** The built CLI, as users run it. `npm test` builds first; a bare `vitest` run builds here if dist is missing. */
export const CLI = join(ROOT, 'dist', 'bin', 'peerkeeper.js')

export function ensureBuilt (): string {
  if (!existsSync(CLI)) {
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { stdio: 'pipe' })
    } catch (err) {
      // tsc still emits when some file has a type error; only a missing CLI is fatal here.
      if (!existsSync(CLI)) throw err
    }
  }
  return CLI
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Starts the built CLI; the caller owns the child. */
export function spawnCli (args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [ensureBuilt(), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
}

/** Runs the built CLI to completion and collects its output. */
export async function runCli (args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawnCli(args, env)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
  return await new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => { resolve({ code, signal, stdout, stderr }) })
  })
}
