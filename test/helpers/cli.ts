import { spawn, type ChildProcess } from 'node:child_process'
import { CLI_BUNDLE, ensureFreshBuild } from './build.ts'

/** The built CLI, as users run it (the bundle package.json's "bin" names). */
export const CLI = CLI_BUNDLE

/** Builds when dist is missing or older than the sources (`npm test` builds first anyway). */
export async function ensureBuiltCli (): Promise<string> {
  await ensureFreshBuild(['bin/peerkeeper.ts'])
  return CLI
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Starts the built CLI (call ensureBuiltCli first); the caller owns the child. */
export function spawnCli (args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
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
