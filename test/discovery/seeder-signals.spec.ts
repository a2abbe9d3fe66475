import { getEventListeners } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { parseChainParams } from '../../src/chainparams/chainparams.ts'
import { seedFromDns } from '../../src/discovery/seeder.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'

// Many seeds share the caller's one abort signal: it must not get a listener per seed (past 10, Node
// prints MaxListenersExceededWarning as plain text on stderr, which breaks a JSON log).

const SEEDS = 14
const params = parseChainParams({
  name: 'localnet', magic: 'fabfb5da', defaultPort: 18444, protocolVersion: 70016, allowLocalAddresses: true,
  dnsSeeds: Array.from({ length: SEEDS }, (_, i) => ({ host: `seed-${i}.test`, hasFiltering: false }))
}, 'test')

const warnings: Error[] = []
const onWarning = (w: Error): void => { warnings.push(w) }
afterEach(() => { process.off('warning', onWarning) })

describe('seedFromDns with many seeds', () => {
  it('puts one listener on the shared signal whatever the number of seeds, and still aborts them all', async () => {
    process.on('warning', onWarning)
    const pending: Array<() => void> = []
    const resolver = {
      resolve: async (_host: string, options: { signal: AbortSignal }): Promise<string[]> => await new Promise((resolve, reject) => {
        pending.push(() => { resolve(['127.1.0.1']) })
        options.signal.addEventListener('abort', () => { reject(options.signal.reason) }, { once: true })
      })
    }
    const shared = new AbortController()
    const seeding = seedFromDns({ clock: systemClock, random: seededRandom(1), resolver }, params, { requiredServices: 1n, signal: shared.signal })
    await new Promise((resolve) => { setImmediate(resolve) })
    expect(pending).toHaveLength(SEEDS)
    expect(getEventListeners(shared.signal, 'abort').length).toBeLessThanOrEqual(1)
    pending[0]?.()
    await new Promise((resolve) => { setImmediate(resolve) })
    shared.abort(new Error('stopping'))
    const results = await seeding
    expect(results.filter((r) => r.error !== undefined)).toHaveLength(SEEDS - 1)
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0)
    await new Promise((resolve) => { setImmediate(resolve) })
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([])
  })
})
