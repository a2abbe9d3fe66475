import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { ensureBuiltCli } from '../helpers/cli.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { startNodeProcess, type NodeProcess } from '../helpers/node-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The real `peerkeeper run` (the built CLI) is killed with SIGKILL at random moments while sim peers
// gossip and misbehave, KILLS times over LANES data directories in parallel. After each kill the data
// directory is read back (LevelDB and banlist.json, as the next start reads them) and must hold every
// ban the node had acknowledged (a ban_recorded before a bans_saved) and an address book that is a state
// it had at a flush: the one before the run, or, when the run was shutting down, at most the stop's flush.
// The next run of the lane must start (node_started) on that directory.

const KILLS = 50
const LANES = 2
/** Most kills come up to this long after node_started: gossip, dials and bans all racing them. */
const MAX_KILL_DELAY_MS = 1_500
/** Every fifth run is killed this soon after the spawn instead, mostly during start-up (opening the store). */
const STARTUP_EVERY = 5
const MAX_STARTUP_KILL_DELAY_MS = 1_500
/** Every fourth run gets SIGTERM first and is killed during its clean shutdown (the stop's flushes). */
const SHUTDOWN_EVERY = 4
const MAX_SHUTDOWN_KILL_DELAY_MS = 300

interface Lane {
  readonly datadir: string
  readonly args: string[]
  /** Bans acknowledged before some kill: each must be on disk from then on. */
  readonly acknowledged: Set<string>
  /** addrKeys of the book as on disk after the last kill. */
  book: string[]
}

async function snapshot (datadir: string): Promise<{ bans: Set<string>, book: string[] }> {
  // Killed before its first start created the directory: nothing was ever acknowledged there.
  if (!existsSync(datadir)) return { bans: new Set(), book: [] }
  const s = await NodeStore.readSnapshot(datadir, { clock: systemClock })
  return { bans: new Set(s.bans.map((b) => b.target)), book: s.addrRecords.map((r) => addrKey(r.addr)).sort() }
}

/** Targets of the bans recorded before the last bans_saved, in log order. */
function acknowledgedBans (node: NodeProcess): string[] {
  const acked: string[] = []
  const pending: string[] = []
  for (const r of node.records) {
    if (r.event === 'ban_recorded') pending.push(String(r.target))
    if (r.event === 'bans_saved') acked.push(...pending.splice(0))
  }
  return acked
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => { setTimeout(resolve, ms) }) }

describe('peerkeeper run killed at random moments', () => {
  let sim: SimNetwork
  let home: string

  beforeAll(async () => {
    await ensureBuiltCli()
    // Peer 0 is permanent and gossips every address; most others send an oversized message after the handshake (a ban).
    sim = await startSimNetwork({ peers: { live: 20, misbehaving: 150, flapping: 10 }, port: 0, seed: 31 })
    home = tempDir('crash-run')
  }, 120_000)

  afterAll(async () => {
    await (sim as SimNetwork | undefined)?.close()
  })

  it(`keeps every acknowledged ban and a flushed address book across ${KILLS} kills`, async () => {
    const random = seededRandom(97)
    const params = writeLocalChainParams(sim.port, home)
    const lanes: Lane[] = Array.from({ length: LANES }, (_, i) => {
      const datadir = join(home, `data-${i}`)
      return {
        datadir,
        args: ['--chainparams', params, '--datadir', datadir, '--addpeer', addrKey(sim.peer(0).addr), '--nodnsseed', '--nolisten',
          '--targetoutbound', '8', '--banduration', '1h', '--debuglevel', 'info,NODE=debug'],
        acknowledged: new Set(),
        book: []
      }
    })
    const stats = { kills: 0, started: 0, duringShutdown: 0, bans: 0 }

    const cycle = async (lane: Lane, run: number): Promise<void> => {
      const node = startNodeProcess(lane.args, { HOME: home })
      const shutdownFirst = run % SHUTDOWN_EVERY === SHUTDOWN_EVERY - 1
      if (run % STARTUP_EVERY === 0) {
        await Promise.race([sleep(random.float() * MAX_STARTUP_KILL_DELAY_MS), node.exited])
      } else {
        await node.waitFor('node_started', () => true, 30_000)
        await Promise.race([sleep(random.float() * MAX_KILL_DELAY_MS), node.exited])
      }
      if (shutdownFirst && node.events('node_started').length > 0) {
        node.child.kill('SIGTERM')
        await Promise.race([sleep(random.float() * MAX_SHUTDOWN_KILL_DELAY_MS), node.exited])
        stats.duringShutdown++
      }
      const exitedByItself = node.child.exitCode !== null
      node.child.kill('SIGKILL')
      const exit = await node.exited
      stats.kills++
      const stoppedCleanly = node.events('node_stopped').length > 0
      // A node exits by itself only after a clean stop; anything else is a failure to start or run.
      if (exitedByItself && !stoppedCleanly) throw new Error(`run ${run} exited by itself (${JSON.stringify(exit)}): ${node.otherLines.join('\n')}`)
      if (node.events('node_started').length > 0) stats.started++
      for (const target of acknowledgedBans(node)) lane.acknowledged.add(target)

      const after = await snapshot(lane.datadir)
      const missing = [...lane.acknowledged].filter((t) => !after.bans.has(t))
      expect(missing, `run ${run}: acknowledged bans lost`).toEqual([])
      // Without a stop, nothing flushes the book in a run this short (every 60 s): it is exactly the one before.
      // A stop flushes it, so after a kill during shutdown it is the one before or the flushed one.
      if (node.events('shutdown_requested').length === 0) {
        expect(after.book, `run ${run}: book changed without a flush`).toEqual(lane.book)
      } else if (stoppedCleanly) {
        const stopped = node.events('node_stopped')[0] ?? {}
        expect(after.book.length).toBe(Number(stopped.new) + Number(stopped.tried))
      } else {
        expect(after.book.length === lane.book.length || lane.book.every((k) => after.book.includes(k)), `run ${run}: book is neither before nor after the flush`).toBe(true)
      }
      lane.book = after.book
      stats.bans = Math.max(stats.bans, lane.acknowledged.size)
    }

    await Promise.all(lanes.map(async (lane, l) => {
      for (let run = l; run < KILLS; run += LANES) await cycle(lane, run)
    }))

    // Every lane's directory still starts, with its acknowledged bans in force.
    for (const lane of lanes) {
      const node = startNodeProcess(lane.args, { HOME: home })
      const started = await node.waitFor('node_started')
      expect(Number(started.bans)).toBeGreaterThanOrEqual(lane.acknowledged.size)
      node.child.kill('SIGTERM')
      expect(await node.exited).toEqual({ code: 0, signal: null })
    }
    process.stdout.write(`crash-run: ${stats.kills} kills (${stats.duringShutdown} during shutdown), ${stats.started} runs had started, up to ${stats.bans} acknowledged bans per data directory\n`)
    expect(stats.kills).toBe(KILLS)
    // The kills must land on running nodes that ban, or the test proves nothing.
    expect(stats.started).toBeGreaterThanOrEqual(KILLS * (1 - 1 / STARTUP_EVERY))
    expect(stats.bans).toBeGreaterThan(10)
  }, 240_000)
})
