import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { followJsonLines } from '../../test/helpers/json-lines.ts'
import { nowMs } from './stats.ts'

/** The built CLI, as users run it: the bundle in dist/cli/ (this file runs from dist/bench/lib/). */
export const CLI_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'peerkeeper.js')

/** One JSON log record of the child, stamped (performance.now in this process) when its line arrived. */
export interface ArrivedRecord {
  readonly atMs: number
  readonly record: Record<string, unknown>
}

/**
 * `peerkeeper run … --logformat json` as a child process, each stderr line parsed as it arrives, so a
 * benchmark can time the node's lifecycle events from outside (spawn included). Every wait is bounded.
 */
export class CliChild {
  readonly child: ChildProcess
  readonly spawnedMs: number
  readonly records: ArrivedRecord[] = []
  readonly #checks = new Set<() => void>()
  readonly exited: Promise<number | null>

  constructor (args: readonly string[], env: Record<string, string>) {
    this.spawnedMs = nowMs()
    this.child = spawn(process.execPath, [CLI_PATH, 'run', '--logformat', 'json', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
    let atMs = 0
    followJsonLines(this.child.stderr, {
      onRecord: (record) => { this.records.push({ atMs: atMs ||= nowMs(), record }) },
      onOther: (line) => { this.records.push({ atMs: atMs ||= nowMs(), record: { event: 'not_json', line } }) },
      onChunk: () => {
        atMs = 0
        for (const check of [...this.#checks]) check()
      }
    })
    this.exited = new Promise((resolve) => { this.child.on('close', (code) => { for (const check of [...this.#checks]) check(); resolve(code) }) })
  }

  /** The first record (arrival-stamped) matching `match`, or undefined. */
  first (match: (r: Record<string, unknown>) => boolean): ArrivedRecord | undefined {
    return this.records.find((r) => match(r.record))
  }

  /** Resolves with the arrival time at which `condition` first held; rejects after `timeoutMs` or if the child exits. */
  async until (what: string, condition: () => boolean, timeoutMs: number): Promise<number> {
    if (condition()) return nowMs()
    return await new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) { done(); resolve(this.records.at(-1)?.atMs ?? nowMs()); return }
        if (this.child.exitCode !== null || this.child.signalCode !== null) { done(); reject(new Error(`${what}: the node exited`)) }
      }
      const timer = setTimeout(() => { done(); reject(new Error(`${what}: not within ${timeoutMs} ms`)) }, timeoutMs)
      const done = (): void => { clearTimeout(timer); this.#checks.delete(check) }
      this.#checks.add(check)
    })
  }

  /** Resident set size now (Linux /proc), in bytes. */
  rssBytes (): number {
    const status = readFileSync(`/proc/${this.child.pid ?? 0}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
    return Number(kb ?? NaN) * 1024
  }

  async stop (): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    const killer = setTimeout(() => { this.child.kill('SIGKILL') }, 15_000)
    await this.exited
    clearTimeout(killer)
  }
}

/** Spawns `node <args>` and resolves with the wall time from spawn to exit (ms); fails on a non-zero exit. */
export async function timedSpawn (args: readonly string[], env: Record<string, string> = {}): Promise<number> {
  const start = nowMs()
  const child = spawn(process.execPath, [...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${String(code)}`)
  return nowMs() - start
}
