import type { ChildProcess } from 'node:child_process'
import { spawnCli } from './cli.ts'
import { followJsonLines } from './json-lines.ts'

export type JsonRecord = Record<string, unknown> & { event?: string, subsystem?: string, message?: string }

export interface NodeProcess {
  readonly child: ChildProcess
  /** Every JSON log record so far (stderr, --logformat json). */
  readonly records: JsonRecord[]
  /** Lines that were not JSON (there should be none). */
  readonly otherLines: string[]
  events(name: string): JsonRecord[]
  /** The first record named `name` matching `match` (already seen or still to come), bounded by `timeoutMs`. */
  waitFor(name: string, match?: (r: JsonRecord) => boolean, timeoutMs?: number): Promise<JsonRecord>
  /** Resolves once `condition` holds, re-checked at every record. */
  waitUntil(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

/**
 * `peerkeeper run … --logformat json` as a child process, its log followed record by record so a test
 * can wait for the node's lifecycle events instead of sleeping.
 */
export function startNodeProcess (args: string[], env: Record<string, string>): NodeProcess {
  // No RPC server on the network's fixed port unless the test asks: test files run side by side.
  const rpc = args.some((a) => a === '--rpclisten' || a === '--norpc') ? [] : ['--norpc']
  const child = spawnCli(['run', '--logformat', 'json', ...rpc, ...args], env)
  const records: JsonRecord[] = []
  const otherLines: string[] = []
  const waiters = new Set<() => void>()
  followJsonLines(child.stderr, {
    onRecord: (record) => { records.push(record as JsonRecord) },
    onOther: (line) => { otherLines.push(line) },
    onChunk: () => { for (const check of [...waiters]) check() }
  })
  child.stdout?.on('data', (chunk: Buffer) => { otherLines.push(chunk.toString()) })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const check of [...waiters]) check()
      resolve({ code, signal })
    })
  })
  const events = (name: string): JsonRecord[] => records.filter((r) => r.event === name)
  const history = (): string => records.filter((r) => r.event !== undefined)
    .map((r) => `${String(r.subsystem)} ${String(r.event)} ${String(r.addr ?? '')} ${String(r.reason ?? '')}`).slice(-40).join('\n')
  const until = async <T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> => {
    const now = check()
    if (now !== undefined) return now
    return await new Promise((resolve, reject) => {
      const waiter = (): void => {
        const result = check()
        if (result !== undefined) {
          clearTimeout(timer)
          waiters.delete(waiter)
          resolve(result)
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer)
          waiters.delete(waiter)
          reject(new Error(`${what}: the node exited (${child.exitCode ?? child.signalCode ?? '?'}); events:\n${history()}\n${otherLines.join('\n')}`))
        }
      }
      const timer = setTimeout(() => {
        waiters.delete(waiter)
        reject(new Error(`${what}: not within ${timeoutMs} ms; events so far:\n${history()}\n${otherLines.join('\n')}`))
      }, timeoutMs)
      waiters.add(waiter)
    })
  }
  return {
    child,
    records,
    otherLines,
    events,
    waitFor: async (name, match = () => true, timeoutMs = 20_000) => await until(`event "${name}"`, () => events(name).find(match), timeoutMs),
    waitUntil: async (what, condition, timeoutMs = 20_000) => { await until(what, () => condition() ? true : undefined, timeoutMs) },
    exited
  }
}
