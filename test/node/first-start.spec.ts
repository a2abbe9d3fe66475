import { afterEach, describe, expect, it } from 'vitest'
import { startDnsSeedServer } from '../../src/sim/dns-seed-server.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { FAST_TIMING, startInProcessNode } from '../helpers/in-process-node.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The first start from an empty data directory: DNS seeds on a loopback DNS server answer for live sim
// peers. The requests that found the book empty must be woken by the seeded addresses, not by a timer.

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

describe('first start from an empty data directory', () => {
  it('dials as soon as a seed answers: the waiting requests are woken, and a dead seed holds nothing back', async () => {
    const sim = await startSimNetwork({ peers: { live: 12 }, port: 0, seed: 3 })
    cleanup.push(async () => { await sim.close() })
    const hosts = sim.addresses().map((a) => a.host)
    const dns = await startDnsSeedServer({
      records: { 'seed-a.test': { a: hosts.slice(0, 6) }, 'seed-b.test': { a: hosts.slice(6) } },
      silent: ['dead.test']
    })
    cleanup.push(async () => { await dns.close() })
    const params = writeLocalChainParams(sim.port, tempDir('params'), ['seed-a.test', 'dead.test', 'seed-b.test'])
    // An hour-long fallback: reaching the target at all proves the requests were woken.
    const { node, log } = await startInProcessNode(sim, { chainparams: params, nodnsseed: false, dnsserver: [`127.0.0.1:${dns.port}`], targetoutbound: 4 },
      tempDir('node'), cleanup, { timing: { ...FAST_TIMING, noAddressRetryMs: 3_600_000 } })
    await log.waitUntil('4 outbound peers', () => node.status()?.outbound === 4)
    expect(log.events('address_unavailable').length).toBeGreaterThan(0)
    expect(log.events('seed_answered').map((r) => r.fields.seed).sort()).toEqual(['seed-a.test', 'seed-b.test'])
    // The dead seed has not timed out yet (15 s): its answer was not waited for.
    expect(log.events('dns_seeded')).toHaveLength(0)
  })
})
