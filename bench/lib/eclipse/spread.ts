import type { Clock } from '../../../src/util/clock.ts'
import type { EclipseNetwork } from './network.ts'

/** Shares of the other honest nodes' books at which a fresh node's spread time is taken. */
export const SPREAD_LEVELS = [0.1, 0.25, 0.5] as const

/** Per fresh node, simulated minutes from its start until its address was in each level's share of books (null: not within the phase). */
export type SpreadMinutes = Array<Array<number | null>>

/**
 * Watches how far fresh nodes' addresses spread through the network: every `everyMs` real ms, which
 * share of the other honest nodes' books hold each of them (EclipseNetwork.booksHolding); keeps the
 * first time each level was reached. `startedAt` is each node's start on the simulation's clock.
 */
export function watchSpread (net: Pick<EclipseNetwork, 'booksHolding'>, startedAt: ReadonlyMap<number, number>, clock: Clock, everyMs: number): { stop: () => SpreadMinutes } {
  const nodes = [...startedAt.keys()]
  const reached: SpreadMinutes = nodes.map(() => SPREAD_LEVELS.map(() => null))
  const sample = (): void => {
    for (const [k, i] of nodes.entries()) {
      const { holding, of } = net.booksHolding(i)
      const share = holding / Math.max(1, of)
      const row = reached[k] as Array<number | null>
      for (const [l, level] of SPREAD_LEVELS.entries()) {
        if (row[l] === null && share >= level) row[l] = (clock.now() - (startedAt.get(i) ?? clock.now())) / 60_000
      }
    }
  }
  const timer = setInterval(sample, everyMs)
  sample()
  return {
    stop: () => {
      clearInterval(timer)
      sample()
      return reached
    }
  }
}
