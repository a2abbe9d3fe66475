import { afterEach, describe, expect, it } from 'vitest'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { FAST_TIMING, startInProcessNode, type InProcessNode } from '../helpers/in-process-node.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function simNetwork (live: number): Promise<SimNetwork> {
  const sim = await startSimNetwork({ peers: { live }, port: 0, seed: 7 })
  cleanup.push(async () => { await sim.close() })
  return sim
}

const run = async (sim: SimNetwork, options: RunOptions, datadir: string): Promise<InProcessNode> =>
  await startInProcessNode(sim, options, datadir, cleanup, { timing: { ...FAST_TIMING, feelerIntervalMs: 3_600_000 } })

describe('block-relay-only slots', () => {
  it('are filled beside the target, show their kind, and are what the anchors are taken from', async () => {
    const sim = await simNetwork(8)
    const datadir = tempDir('node')
    const options: RunOptions = { addpeer: [addrKey(sim.peer(0).addr)], targetoutbound: 2, blockrelayonly: 2 }
    const first = await run(sim, options, datadir)
    await first.log.waitUntil('2 + 2 automatic peers', () => first.node.status()?.outbound === 2 && first.node.status()?.blockRelay === 2)
    expect(first.node.status()).toMatchObject({ outbound: 2, targetOutbound: 2, blockRelay: 2, blockRelayTarget: 2 })
    const blockRelay = first.node.registry?.all().filter((c) => c.kind === 'block-relay-only').map((c) => c.key).sort()
    expect(blockRelay).toHaveLength(2)
    expect(first.log.events('outbound_connected').filter((e) => e.fields.kind === 'block-relay-only')).toHaveLength(2)
    const groups = first.node.registry?.all().filter((c) => c.direction === 'outbound').map((c) => c.group) ?? []
    expect(new Set(groups).size).toBe(groups.length) // one group each, across the kinds
    await first.node.stop()
    expect((first.log.events('anchors_saved').at(-1)?.fields.addrs as string[]).slice().sort()).toEqual(blockRelay)

    const second = await run(sim, options, datadir)
    await second.log.waitUntil('anchors back as block-relay-only', () =>
      (second.node.registry?.all().filter((c) => c.kind === 'block-relay-only' && c.handshake !== undefined).length ?? 0) === 2)
    expect(second.log.events('anchor_dial').map((e) => e.fields.addr).sort()).toEqual(blockRelay)
    const reconnected = second.node.registry?.all().filter((c) => c.kind === 'block-relay-only').map((c) => c.key).sort()
    expect(reconnected).toEqual(blockRelay)
  })
})
