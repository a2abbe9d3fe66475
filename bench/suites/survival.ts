import { loadChainParams } from '../../src/chainparams/chainparams.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { refusedPort } from '../../test/helpers/loopback-listener.ts'
import { connectWireClient, isCommand, type WireClient } from '../../test/helpers/wire-client.ts'
import { floodFromChild, versionBytes } from '../lib/flood.ts'
import { prefilledDataDir, removeDataDir, simRunOptions } from '../lib/local-node.ts'
import { NodeChild } from '../lib/node-child.ts'
import type { Suite } from '../lib/result.ts'
import { sleep, summarize } from '../lib/stats.ts'

const TARGET_OUTBOUND = 8
const LIVE_PEERS = 40
/** Honest inbound peers, one per /16 (127.10.0.0/16 … 127.49.0.0/16). */
const HONEST = 40
/** The honest peers' head start before the attack ("connected for a while"). */
const HONEST_HEAD_START_MS = 5_000
const RATE_PER_SECOND = 2_000
const ATTACK_MS = 30_000
/** The attacker's addresses come from this many /16s (127.100.0.0/16 onwards). */
const ATTACK_GROUPS = 4
/** Each attacking connection sends a version and holds on as long as the node lets it (past the handshake timeout). */
const ATTACK_HOLD_MS = 25_000
const TARGET_TIMEOUT_MS = 20_000

/** An honest inbound peer: handshakes and answers every ping, from 127.(10+i).0.7. */
async function honestPeer (port: number, magic: Uint8Array, i: number, payload: Uint8Array): Promise<WireClient> {
  const c = await connectWireClient({ host: '127.0.0.1', port }, magic, `127.${10 + i}.0.7`)
  c.sendRaw(payload)
  await c.next(isCommand('verack'))
  c.send({ command: 'verack' })
  void (async () => {
    for (;;) {
      const ping = await c.next(isCommand('ping')).catch(() => undefined)
      if (ping === undefined || !('nonce' in ping)) return
      c.send({ command: 'pong', nonce: ping.nonce as bigint })
    }
  })()
  return c
}

/**
 * Honest inbound survival (issue 15): 40 honest inbound peers from 40 /16s, then an attacker opening
 * 2,000 connections a second for 30 s from many addresses in 4 /16s. Inbound eviction must keep the
 * honest peers; the outbound side must not notice.
 */
export const survivalSuite: Suite = {
  name: 'survival',
  async run (report) {
    const sim = await startSimNetwork({ peers: { live: LIVE_PEERS }, port: 0, seed: 15 })
    const { datadir } = await prefilledDataDir(sim.addresses(), 15)
    const port = await refusedPort()
    const options = simRunOptions(sim.port, datadir, { targetoutbound: TARGET_OUTBOUND, listen: [`127.0.0.1:${port}`], nolisten: false })
    const params = loadChainParams(options.chainparams as string)
    const payload = versionBytes(params)
    const honest: WireClient[] = []
    let node: NodeChild | undefined
    try {
      node = await NodeChild.start(options)
      await node.waitOutbound(TARGET_OUTBOUND, TARGET_TIMEOUT_MS)
      for (let i = 0; i < HONEST; i++) honest.push(await honestPeer(port, params.magic, i, payload))
      await sleep(HONEST_HEAD_START_MS)
      await node.windowStart()
      const attack = await floodFromChild({
        target: { host: '127.0.0.1', port }, ratePerSecond: RATE_PER_SECOND, durationMs: ATTACK_MS, holdMs: ATTACK_HOLD_MS, payload, firstSource: 0, groups: ATTACK_GROUPS
      })
      const w = await node.windowEnd()
      const survivors = honest.filter((c) => !c.isClosed).length
      report({
        name: '15 honest inbound survival: honest peers still connected after the attack',
        unit: 'peers',
        summary: summarize([survivors]),
        extra: {
          honest: HONEST,
          attempts: attack.attempts,
          attemptsPerS: attack.achievedPerSecond.toFixed(0),
          answered: attack.answered,
          refused: attack.refused,
          failed: Object.entries(attack.failed).map(([c, n]) => `${c}:${n}`).join(' ') || 0,
          inboundAtEnd: w.inbound,
          goal: 'all but a handful'
        }
      })
      report({ name: '15 honest inbound survival: lowest outbound count during the attack', unit: 'peers', summary: summarize([w.minOutbound]), extra: { target: TARGET_OUTBOUND, goal: 'never dips' } })
      report({
        name: '15 honest inbound survival: node CPU per attempt',
        unit: 'µs',
        summary: summarize([1000 * w.cpuMs / Math.max(1, attack.attempts)]),
        extra: { nodeCpuPct: (100 * w.cpuMs / w.wallMs).toFixed(0), eldP99Ms: w.eldP99Ms.toFixed(1) }
      })
    } finally {
      for (const c of honest) c.close()
      await node?.stop()
      await sim.close()
      await removeDataDir(datadir)
    }
  }
}
