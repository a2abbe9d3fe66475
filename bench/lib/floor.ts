import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { connectAndHandshake } from './handshake.ts'
import type { BenchResult } from './result.ts'
import { repeat, summarize, type Summary } from './stats.ts'

const ROUNDS = 60
const BUDGET_MS = 3_000

let measured: Summary | undefined

/**
 * Measurement 1, the physical floor: connect + handshake to one live sim peer, in this run, on this
 * machine. Measured once per run (by whichever suite asks first) and reported as its own row.
 */
export async function floor (report: (result: BenchResult) => void): Promise<Summary> {
  if (measured !== undefined) return measured
  const sim = await startSimNetwork({ peers: { live: 1 }, port: 0, seed: 1 })
  try {
    const addr = sim.peer(0).addr
    await connectAndHandshake(addr, sim.params) // warm-up: JIT and the first-connection costs
    const samples = await repeat(ROUNDS, BUDGET_MS, async () => await connectAndHandshake(addr, sim.params))
    measured = summarize(samples)
  } finally {
    await sim.close()
  }
  report({ name: '1 floor: TCP connect + handshake, one live peer', unit: 'ms', summary: measured })
  return measured
}
