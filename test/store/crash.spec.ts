import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BanList } from '../../src/banlist/ban-list.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { builtPath, ensureFreshBuild } from '../helpers/build.ts'
import { BATCH_RECORDS, batchBanTarget } from './fixtures/crash-batches.ts'

const WRITER = 'test/store/fixtures/crash-writer.ts'
const ITERATIONS = 16
/** Kill after this many acknowledged batches at most: long enough runs to cross LevelDB compactions. */
const MAX_ACKED_BEFORE_KILL = 60
/** Every 4th kill lands at a random moment after spawn (often in open or log recovery) instead of mid-run. */
const STARTUP_KILL_EVERY = 4
const MAX_STARTUP_KILL_DELAY_MS = 250

interface Run {
  acked: number
  /** Killed right after the requested number of acknowledged batches. */
  killedAfterAcks: boolean
}

/** Starts the writer, kills it with SIGKILL at a random moment, and reports the last batch it acknowledged. */
async function runAndKill (datadir: string, killAfterAcks: number, startupDelayMs: number): Promise<Run> {
  const child = spawn(process.execPath, [builtPath(WRITER), datadir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let acked = 0
  let stderr = ''
  let buffered = ''
  let killed = false
  let killedAfterAcks = false
  const kill = (): void => {
    if (!killed) child.kill('SIGKILL')
    killed = true
  }
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  if (killAfterAcks === 0) setTimeout(kill, startupDelayMs)
  child.stdout.on('data', (c: Buffer) => {
    buffered += c.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      const m = /^flushed (\d+)$/.exec(line)
      if (m === null) continue
      acked = Number(m[1])
      if (killAfterAcks > 0 && --killAfterAcks === 0) {
        killedAfterAcks = !killed
        kill()
      }
    }
  })
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => { resolve(sig) }))
  // The writer only ends by our SIGKILL; anything else is a failure of the writer itself.
  expect(signal, `writer exited on its own: ${stderr}`).toBe('SIGKILL')
  return { acked, killedAfterAcks }
}

describe('crash safety', () => {
  let root: string
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'pk-crash-'))
    await ensureFreshBuild([WRITER, 'src/store/node-store.ts', 'src/store/addrbook-flusher.ts'])
  }, 120_000)
  afterAll(() => { rmSync(root, { recursive: true, force: true }) })

  it(`kill -9 in a loop (${ITERATIONS} times): the database always opens and holds a prefix of the flushed batches`, async () => {
    const seed = Date.now() >>> 0
    const random = seededRandom(seed)
    const datadir = join(root, 'data')
    let lastBatch = 0
    let midRunKills = 0
    for (let i = 0; i < ITERATIONS; i++) {
      const context = `iteration ${i}, seed ${seed}`
      const startupKill = i % STARTUP_KILL_EVERY === STARTUP_KILL_EVERY - 1
      const run = await runAndKill(datadir, startupKill ? 0 : 1 + random.int(MAX_ACKED_BEFORE_KILL), random.int(MAX_STARTUP_KILL_DELAY_MS))
      if (run.killedAfterAcks) midRunKills++

      const store = await NodeStore.open(datadir, { clock: systemClock })
      expect(store.movedAside, context).toBeUndefined()
      const { addrRecords } = store.takeContents()
      const bans = new BanList({ clock: systemClock })
      store.bindBanList(bans)
      await store.close()

      // Which batches are on disk, and is each complete?
      const perBatch = new Map<number, number>()
      for (const r of addrRecords) perBatch.set(r.time, (perBatch.get(r.time) ?? 0) + 1)
      const s = Math.max(0, ...perBatch.keys())
      // Nothing acknowledged (or seen on disk before) is lost; batches written after our last ack may be there.
      expect(s, `${context}: acknowledged batch ${run.acked} lost`).toBeGreaterThanOrEqual(Math.max(run.acked, lastBatch))
      const expected = s === 0 ? [] : s === 1 ? [[1, BATCH_RECORDS]] : [[s - 1, BATCH_RECORDS], [s, BATCH_RECORDS]]
      expect([...perBatch].sort((a, b) => a[0] - b[0]), context).toEqual(expected)
      // Bans are written at once, before their batch: all of 1..s, plus perhaps the one in flight.
      const banned = bans.list().map((e) => e.target)
      const expectedBans = Array.from({ length: s }, (_, k) => batchBanTarget(k + 1))
      expect(banned.slice(0, s), context).toEqual(expectedBans)
      expect(banned.length - s, context).toBeLessThanOrEqual(1)
      if (banned.length > s) expect(banned[s], context).toBe(batchBanTarget(s + 1))
      lastBatch = s
    }
    expect(midRunKills).toBe(ITERATIONS - ITERATIONS / STARTUP_KILL_EVERY)
    console.log(`crash loop: ${ITERATIONS} kills (${midRunKills} mid-run), ${lastBatch} batches of ${BATCH_RECORDS} on disk at the end, seed ${seed}`)
  }, 180_000)
})
