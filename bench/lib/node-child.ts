import { fork, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NodeStatus } from '../../src/node/status.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import type { NodeTiming } from '../../src/node/node.ts'
import type { HostRequest, HostUsage, HostWindow } from './node-host.ts'

/** No single request to the host may take longer than this (starting and waiting included). */
const REQUEST_TIMEOUT_MS = 30_000
/** Extra node flags for the child, e.g. PK_BENCH_CHILD_FLAGS=--cpu-prof to profile the node under a flood. */
const CHILD_FLAGS_ENV = 'PK_BENCH_CHILD_FLAGS'

/**
 * A node in its own process (bench/lib/node-host.ts), for the measurements that must not mix the node's
 * costs with the load generator's: event-loop delay under a flood, RSS and CPU.
 */
export class NodeChild {
  readonly #child: ChildProcess
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void, timer: NodeJS.Timeout }>()
  #nextId = 0

  private constructor (child: ChildProcess) {
    this.#child = child
    child.on('message', (message) => {
      const { id, result, error } = message as { id: number, result?: unknown, error?: string }
      const waiter = this.#waiting.get(id)
      if (waiter === undefined) return
      this.#waiting.delete(id)
      clearTimeout(waiter.timer)
      if (error === undefined) waiter.resolve(result)
      else waiter.reject(new Error(`node host: ${error}`))
    })
    child.on('exit', (code) => {
      for (const [id, waiter] of this.#waiting) {
        clearTimeout(waiter.timer)
        waiter.reject(new Error(`node host exited (${String(code)}) with request ${id} open`))
      }
      this.#waiting.clear()
    })
  }

  /** Forks the host and starts the node in it with these options; exposeGc lets usage() collect garbage first. */
  static async start (options: RunOptions, init: NodeTiming = {}, host: { exposeGc?: boolean } = {}): Promise<NodeChild> {
    const entry = join(dirname(fileURLToPath(import.meta.url)), 'node-host-main.js')
    const flags = (process.env[CHILD_FLAGS_ENV] ?? '').split(' ').filter((f) => f !== '')
    if (host.exposeGc === true) flags.push('--expose-gc')
    const child = new NodeChild(fork(entry, [], { execArgv: flags, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
    try {
      await child.#call({ op: 'start', options, init })
    } catch (err) {
      await child.stop()
      throw err
    }
    return child
  }

  async waitOutbound (outbound: number, timeoutMs: number): Promise<void> {
    await this.#call({ op: 'waitOutbound', outbound, timeoutMs })
  }

  async status (): Promise<NodeStatus | null> {
    return await this.#call({ op: 'status' }) as NodeStatus | null
  }

  async windowStart (): Promise<void> {
    await this.#call({ op: 'windowStart' })
  }

  async windowEnd (): Promise<HostWindow> {
    return await this.#call({ op: 'windowEnd' }) as HostWindow
  }

  async usage (): Promise<HostUsage> {
    return await this.#call({ op: 'usage' }) as HostUsage
  }

  /** Stops the node (store saved, sockets closed) and lets the process exit; kills it if it will not. */
  async stop (): Promise<void> {
    const child = this.#child
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
    try {
      await this.#call({ op: 'stop' })
    } catch { /* it is going away either way */ }
    if (child.connected) child.disconnect()
    const killer = setTimeout(() => { child.kill('SIGKILL') }, REQUEST_TIMEOUT_MS)
    await exited
    clearTimeout(killer)
  }

  async #call (req: Omit<HostRequest, 'id'>): Promise<unknown> {
    const id = ++this.#nextId
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id)
        reject(new Error(`node host: ${req.op} not answered within ${REQUEST_TIMEOUT_MS} ms`))
      }, REQUEST_TIMEOUT_MS)
      this.#waiting.set(id, { resolve, reject, timer })
      this.#child.send({ ...req, id })
    })
  }
}
