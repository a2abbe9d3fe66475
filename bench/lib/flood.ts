import { fork } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChainParams } from '../../src/chainparams/chainparams.ts'
import type { HostPort } from '../../src/netaddr/netaddress.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { nowMs, sleep } from './stats.ts'

/** Launches are spread over ticks this long. */
const TICK_MS = 5
/** At most this many launches per tick, however far behind the generator is (no catch-up storms). */
const MAX_LAUNCH_PER_TICK = 100
/** After the flood, sockets still open this long past their hold are destroyed. */
const DRAIN_GRACE_MS = 2_000
/** The flood process must have answered this long after the flood and drain should be over. */
const CHILD_GRACE_MS = 10_000

/**
 * The i-th source address of a client: 127.100-199.x.y with y >= 2, so neither 127.0.0.0/16 (the node)
 * nor a sim peer's 127.a.b.1 is used, and every client of a flood comes from a different address.
 */
export function sourceHost (i: number, groups = 100): string {
  const spread = Math.floor(i / groups)
  return `127.${100 + (i % groups)}.${spread % 256}.${2 + (Math.floor(spread / 256) % 250)}`
}

/** A version message as a fresh inbound peer would send it first. */
export function versionBytes (params: ChainParams): Uint8Array {
  return encodeMessage(params.magic, {
    command: 'version',
    version: params.protocolVersion,
    services: 0n,
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    addrRecv: { services: 0n, host: '127.0.0.1', port: params.defaultPort },
    addrFrom: { services: 0n, host: '0.0.0.0', port: 0 },
    nonce: 0x5eed_f100dn,
    userAgent: '/peerkeeper-bench-flood/',
    startHeight: 0,
    relay: false
  })
}

export interface FloodInit {
  readonly target: HostPort
  readonly ratePerSecond: number
  readonly durationMs: number
  /** Each client stays this long after connecting, then leaves. */
  readonly holdMs: number
  /** Sent on connect (a version, so an admitted client costs the node a real session). */
  readonly payload: Uint8Array
  /** Index of the first source address (rounds use different ones). */
  readonly firstSource: number
  /** Every client from the first source address (one host flooding), instead of one address each. */
  readonly singleSource?: boolean
  /** How many /16s (127.100.0.0/16 onwards) the sources are spread over. @default 100 */
  readonly groups?: number
}

export interface FloodResult {
  readonly attempts: number
  readonly achievedPerSecond: number
  /** The node answered (its version came back): admitted to a session. */
  readonly answered: number
  /** The node closed the connection without a word: refused (inbound limit). */
  readonly refused: number
  /** Connected, not answered and not closed within the hold. */
  readonly silent: number
  /** The connection itself failed (backlog full, no port): by error code. */
  readonly failed: Record<string, number>
}

/**
 * Inbound connection attempts at `ratePerSecond` for `durationMs`, each from its own loopback address.
 * Bounded: launches stop at durationMs, and every socket is gone DRAIN_GRACE_MS after its hold.
 */
export async function flood (init: FloodInit): Promise<FloodResult> {
  const open = new Set<Socket>()
  let attempts = 0
  let answered = 0
  let refused = 0
  let silent = 0
  const failed: Record<string, number> = {}
  const launch = (): void => {
    const socket = connect({ host: init.target.host, port: init.target.port, localAddress: sourceHost(init.firstSource + (init.singleSource === true ? 0 : attempts), init.groups) })
    attempts++
    open.add(socket)
    let connected = false
    let gotData = false
    let held = false
    let hold: NodeJS.Timeout | undefined
    socket.on('connect', () => {
      connected = true
      if (init.payload.length > 0) socket.write(init.payload) // an empty payload: a silent client
      hold = setTimeout(() => { held = true; socket.destroy() }, init.holdMs)
    })
    socket.on('data', () => { gotData = true })
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) failed[err.code ?? err.message] = (failed[err.code ?? err.message] ?? 0) + 1
    })
    socket.on('close', () => {
      clearTimeout(hold)
      open.delete(socket)
      if (!connected) return
      if (gotData) answered++
      else if (held) silent++
      else refused++
    })
  }
  const start = nowMs()
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = nowMs() - start
      const due = Math.min(Math.floor(Math.min(elapsed, init.durationMs) * init.ratePerSecond / 1000), attempts + MAX_LAUNCH_PER_TICK)
      while (attempts < due) launch()
      if (elapsed >= init.durationMs) {
        clearInterval(timer)
        resolve()
      }
    }, TICK_MS)
  })
  const launchedMs = nowMs() - start
  const drainUntil = nowMs() + init.holdMs + DRAIN_GRACE_MS
  while (open.size > 0 && nowMs() < drainUntil) await sleep(TICK_MS * 4)
  for (const socket of open) socket.destroy()
  return { attempts, achievedPerSecond: attempts / (launchedMs / 1000), answered, refused, silent, failed }
}

/** flood() in a process of its own (bench/lib/flood-host.ts); killed if it overruns. */
export async function floodFromChild (init: FloodInit): Promise<FloodResult> {
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'flood-host.js'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const limitMs = init.durationMs + init.holdMs + DRAIN_GRACE_MS + CHILD_GRACE_MS
  try {
    return await new Promise<FloodResult>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`flood process: no result within ${limitMs} ms`)) }, limitMs)
      child.once('message', (message) => {
        clearTimeout(timer)
        const { result, error } = message as { result?: FloodResult, error?: string }
        if (result !== undefined) resolve(result)
        else reject(new Error(`flood process: ${error ?? 'no result'}`))
      })
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`flood process exited (${String(code)}) without a result`)) })
      child.send({ ...init, payload: [...init.payload] })
    })
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
      const killer = setTimeout(() => { child.kill('SIGKILL') }, CHILD_GRACE_MS)
      await exited
      clearTimeout(killer)
    }
  }
}
