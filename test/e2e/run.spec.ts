import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BanList } from '../../src/banlist/ban-list.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { ensureBuiltCli } from '../helpers/cli.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { startNodeProcess, type JsonRecord, type NodeProcess } from '../helpers/node-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The built `peerkeeper run` as an operator starts it, against a simulated network on 127.0.0.0/8 with
// a local chainparams file and no DNS seeding: nothing leaves the machine. Every wait is on the node's
// JSON log events, with a bound.

const auto = (r: JsonRecord): boolean => r.permanent === false
const permanent = (r: JsonRecord): boolean => r.permanent === true

/** Automatic outbound connections up, counted from the connection manager's events. */
function automaticUp (node: NodeProcess): number {
  return node.events('outbound_connected').filter(auto).length - node.events('outbound_disconnected').filter(auto).length
}

async function stopWithSigterm (node: NodeProcess): Promise<void> {
  node.child.kill('SIGTERM')
  const exit = await node.exited
  expect(exit).toEqual({ code: 0, signal: null })
  expect(node.events('node_stopped')).toHaveLength(1)
  expect(node.otherLines).toEqual([])
}

describe('peerkeeper run (end to end)', () => {
  let sim: SimNetwork
  let args: string[]
  let env: Record<string, string>
  let datadir: string
  const MISBEHAVING = 4

  beforeAll(async () => {
    await ensureBuiltCli()
    // Peer 0 is the permanent one; 1-3 are live; 4 sends an oversized message right after the handshake.
    sim = await startSimNetwork({ peers: [{ profile: 'live' }, { profile: 'live' }, { profile: 'live' }, { profile: 'live' }, { profile: 'misbehaving', misbehaviour: 'oversized' }], port: 0, seed: 11 })
    const home = tempDir('e2e')
    datadir = join(home, 'data')
    // No block-relay-only slots: the few sim peers are all needed by the target, and anchors come from it.
    args = ['--chainparams', writeLocalChainParams(sim.port, home), '--datadir', datadir, '--addpeer', addrKey(sim.peer(0).addr), '--nodnsseed', '--nolisten', '--blockrelayonly', '0']
    env = { HOME: home }
  }, 120_000) // may run tsc first

  afterAll(async () => {
    await (sim as SimNetwork | undefined)?.close()
  })

  it('bans a misbehaving peer, then after a restart reaches the target, rides out a permanent peer restart, and never dials the banned peer again', async () => {
    // Run 1: a target as large as the candidates makes the node try every gossiped address, the bad one included.
    const first = startNodeProcess([...args, '--targetoutbound', '4', '--banduration', '1h'], env)
    try {
      const started = await first.waitFor('node_started')
      expect(started).toMatchObject({ subsystem: 'NODE', targetOutbound: 4, permanent: 1, level: 'info' })
      expect(started.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      const ban = await first.waitFor('ban_recorded')
      expect(ban).toMatchObject({ addr: addrKey(sim.peer(MISBEHAVING).addr), direction: 'outbound' })
      expect(first.events('peer_banned')[0]).toMatchObject({ addr: addrKey(sim.peer(MISBEHAVING).addr) })
      await first.waitUntil('the 3 live automatic peers', () => automaticUp(first) === 3)
    } finally {
      await stopWithSigterm(first)
    }
    expect(first.events('anchors_saved')[0]?.count).toBe(2)
    const badDials = sim.stats(MISBEHAVING).connectionsAccepted
    expect(badDials).toBe(1)

    // Run 2: the ban and the book came back from the data directory; the target is reachable now.
    const second = startNodeProcess([...args, '--targetoutbound', '3'], env)
    try {
      const started = await second.waitFor('node_started')
      expect(started.bans).toBe(1)
      expect(started.tried as number).toBeGreaterThanOrEqual(3)
      expect(second.events('anchor_dial')).toHaveLength(2)
      await second.waitUntil('target 3 reached', () => automaticUp(second) === 3)
      await second.waitFor('outbound_connected', permanent)

      second.child.kill('SIGUSR1')
      const status = await second.waitFor('status')
      expect(status).toMatchObject({ outbound: 3, targetOutbound: 3, permanentUp: 1, permanentTotal: 1, inbound: 0, bans: 1 })
      expect(status.message).toMatch(/^outbound 3\/3, permanent 1\/1, v2 \d+, addresses \d+ new \/ \d+ tried, bans 1$/)

      // The permanent peer goes away and comes back: the node retries with backoff and reconnects.
      await sim.stopPeer(0)
      const lost = await second.waitFor('outbound_disconnected', permanent)
      expect(lost).toMatchObject({ addr: addrKey(sim.peer(0).addr), reason: 'reconnect' })
      const retry = await second.waitFor('retry_scheduled', permanent)
      expect(retry.delayMs as number).toBeGreaterThan(0)
      await sim.restartPeer(0)
      await second.waitUntil('permanent peer reconnected', () => second.events('outbound_connected').filter(permanent).length === 2, 30_000)
    } finally {
      await stopWithSigterm(second)
    }
    expect(sim.stats(MISBEHAVING).connectionsAccepted).toBe(badDials)
    expect(second.events('outbound_connected').map((r) => r.addr)).not.toContain(addrKey(sim.peer(MISBEHAVING).addr))

    // The data directory holds the address book, the ban and the anchors of the clean shutdown.
    const store = await NodeStore.open(datadir, { clock: systemClock }, { consumeAnchors: false })
    try {
      const contents = store.takeContents()
      const keys = contents.addrRecords.map((r) => r.key)
      for (const i of [1, 2, 3]) expect(keys).toContain(addrKey(sim.peer(i).addr))
      expect(contents.addrRecords.filter((r) => r.tried).length).toBeGreaterThanOrEqual(3)
      expect(contents.anchors).toHaveLength(2)
      const bans = new BanList({ clock: systemClock })
      store.bindBanList(bans)
      expect(bans.isBanned(sim.peer(MISBEHAVING).addr.host)).toBe(true)
    } finally {
      await store.close()
    }
  }, 60_000)

  it('exits at once with status 130 on a second signal during shutdown', async () => {
    const home = tempDir('e2e')
    const node = startNodeProcess(['--chainparams', writeLocalChainParams(sim.port, home), '--datadir', join(home, 'data'), '--connect', addrKey(sim.peer(1).addr)], { HOME: home })
    try {
      await node.waitFor('outbound_connected')
      // Two different signals, so the kernel cannot merge them into one.
      node.child.kill('SIGINT')
      node.child.kill('SIGTERM')
      expect(await node.exited).toEqual({ code: 130, signal: null })
    } finally {
      if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL')
    }
  })
})
