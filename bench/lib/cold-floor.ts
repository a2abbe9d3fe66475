import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { writeLocalChainParams } from '../../test/helpers/local-chainparams.ts'
import type { BenchResult } from './result.ts'
import { repeat, summarize, type Summary } from './stats.ts'

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'cold-floor-child.js')
const ROUNDS = 12
const BUDGET_MS = 10_000
/** A child that has not printed within this long is broken, not slow. */
const CHILD_TIMEOUT_MS = 10_000

/** One fresh process: spawn the child, read its one JSON line. */
async function oneColdRound (paramsFile: string, targets: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [CHILD, paramsFile, ...targets], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`cold floor: no answer within ${CHILD_TIMEOUT_MS} ms`)) }, CHILD_TIMEOUT_MS)
    child.on('close', (c) => { clearTimeout(timer); resolve(c) })
  })
  if (code !== 0) throw new Error(`cold floor: the child exited with ${String(code)}`)
  return (JSON.parse(out) as { firstConnectToLastVerackMs: number }).firstConnectToLastVerackMs
}

/**
 * The cold floor: `sessions` handshakes at once from a freshly spawned process that loads only the
 * wire/peer/transport code (cold-floor-child.ts), first connect → last verack, against live sim peers
 * in this process. What a fresh CLI cannot beat however lean its node is; the warm floor (floor.ts) is
 * one handshake in this warmed-up process.
 */
export async function coldFloor (report: (result: BenchResult) => void, sessions: number): Promise<Summary> {
  const sim = await startSimNetwork({ peers: { live: sessions }, port: 0, seed: 21 })
  const home = await mkdtemp(join(tmpdir(), 'pk-bench-cold-'))
  try {
    const paramsFile = writeLocalChainParams(sim.port, home)
    const targets = sim.addresses().map((a) => addrKey(a))
    await oneColdRound(paramsFile, targets) // warm the file cache, as the CLI rows do
    const summary = summarize(await repeat(ROUNDS, BUDGET_MS, async () => await oneColdRound(paramsFile, targets)))
    report({ name: `1b cold floor: fresh process, ${sessions} handshakes at once (first connect → last verack)`, unit: 'ms', summary })
    return summary
  } finally {
    await rm(home, { recursive: true, force: true })
    await sim.close()
  }
}
