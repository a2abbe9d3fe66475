import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AddrChanges } from '../../src/addrbook/record.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { AddrBookFlusher, DEFAULT_FLUSH_INTERVAL_MS, mergeChanges } from '../../src/store/addrbook-flusher.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { addrRecordFor } from '../helpers/addr-records.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'

const KEY = new Uint8Array(32).fill(7)
const NONE: AddrChanges = { put: [], del: [] }

/** A stand-in for the address book's dirty set: each takeChanges() hands over what was queued. */
class ChangeQueue {
  queued: AddrChanges = NONE
  push (put: number[], del: number[] = []): void {
    this.queued = mergeChanges(this.queued, { put: put.map((n) => addrRecordFor(n)), del: del.map((n) => addrRecordFor(n).key) })
  }

  takeChanges (): AddrChanges {
    const taken = this.queued
    this.queued = NONE
    return taken
  }
}

async function storedKeys (store: NodeStore): Promise<string[]> {
  // Reads what a restart would see: close, reopen, read.
  const { datadir } = store
  await store.close()
  const reopened = await NodeStore.open(datadir, { clock: systemClock })
  const keys = reopened.takeContents().addrRecords.map((r) => r.key).sort()
  await reopened.close()
  return keys
}

const keysOf = (ns: number[]): string[] => ns.map((n) => addrRecordFor(n).key).sort()

describe('AddrBookFlusher', () => {
  let dir: string
  let store: NodeStore

  beforeEach(async () => {
    // Only the interval is faked: LevelDB's own IO must run in real time.
    vi.useFakeTimers({ now: 0, toFake: ['setInterval', 'clearInterval'] })
    dir = mkdtempSync(join(tmpdir(), 'pk-flusher-'))
    store = await NodeStore.open(dir, { clock: systemClock })
    await store.saveAddrBookKey(KEY)
  })

  afterEach(async () => {
    vi.useRealTimers()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes the changes once a minute by default, and the rest at stop', async () => {
    const book = new ChangeQueue()
    const writes: AddrChanges[] = []
    const flusher = new AddrBookFlusher({
      clock: systemClock,
      logger: nullLogger,
      book,
      store: { writeAddrChanges: async (c) => { writes.push(c); await store.writeAddrChanges(c) } }
    })
    flusher.start()
    book.push([1, 2, 3])
    await vi.advanceTimersByTimeAsync(DEFAULT_FLUSH_INTERVAL_MS - 1)
    expect(writes).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    await flusher.flush() // waits for the timer's flush to finish
    expect(writes.map((w) => w.put.length)).toEqual([3])

    book.push([4], [1])
    await flusher.stop()
    expect(writes.map((w) => [w.put.length, w.del.length])).toEqual([[3, 0], [1, 1]])
    book.push([5])
    await vi.advanceTimersByTimeAsync(10 * DEFAULT_FLUSH_INTERVAL_MS)
    expect(writes).toHaveLength(2)
    expect(await storedKeys(store)).toEqual(keysOf([2, 3, 4]))
    store = await NodeStore.open(dir, { clock: systemClock })
  })

  it('takes its interval from init and skips empty flushes', async () => {
    const book = new ChangeQueue()
    let calls = 0
    const flusher = new AddrBookFlusher({
      clock: systemClock,
      logger: nullLogger,
      book,
      store: { writeAddrChanges: async (c) => { calls++; await store.writeAddrChanges(c) } }
    }, { intervalMs: 5_000 })
    flusher.start()
    await vi.advanceTimersByTimeAsync(20_000)
    expect(calls).toBe(0)
    book.push([9])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await flusher.flush()).toEqual({ put: 0, del: 0 })
    expect(calls).toBe(1)
    await flusher.stop()
  })

  it('keeps the changes of a failed write and writes them, merged, next time', async () => {
    const book = new ChangeQueue()
    const logger = recordingLogger()
    let failNext = true
    const flusher = new AddrBookFlusher({
      clock: systemClock,
      logger,
      events: logger,
      book,
      store: {
        writeAddrChanges: async (c) => {
          if (failNext) {
            failNext = false
            throw new Error('disk full')
          }
          await store.writeAddrChanges(c)
        }
      }
    })
    book.push([1, 2])
    await expect(flusher.flush()).rejects.toThrow('disk full')
    expect(logger.records.find((r) => r.event === 'addrbook_flush_failed')?.message).toMatch(/could not write 2 address-book changes .*disk full/)
    book.push([3], [2])
    expect(await flusher.flush()).toEqual({ put: 2, del: 1 })
    expect(await storedKeys(store)).toEqual(keysOf([1, 3]))
    store = await NodeStore.open(dir, { clock: systemClock })
  })

  it('never runs two flushes at once: a flush asked for during a write runs after it', async () => {
    const book = new ChangeQueue()
    const writes: string[][] = []
    let release = (): void => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    const flusher = new AddrBookFlusher({
      clock: systemClock,
      logger: nullLogger,
      book,
      store: {
        writeAddrChanges: async (c) => {
          writes.push(c.put.map((r) => r.key))
          if (writes.length === 1) await held
          await store.writeAddrChanges(c)
        }
      }
    })
    book.push([1])
    const first = flusher.flush()
    await vi.waitFor(() => { expect(writes).toHaveLength(1) })
    book.push([2])
    const second = flusher.flush()
    await new Promise((resolve) => setImmediate(resolve))
    expect(writes).toHaveLength(1)
    release()
    expect(await Promise.all([first, second])).toEqual([{ put: 1, del: 0 }, { put: 1, del: 0 }])
    expect(writes).toEqual([keysOf([1]), keysOf([2])])
  })
})

describe('mergeChanges', () => {
  it('lets the newer change to a key win', () => {
    const r = (n: number, time?: number): ReturnType<typeof addrRecordFor> => addrRecordFor(n, time)
    const merged = mergeChanges({ put: [r(1), r(2)], del: [r(3).key, r(4).key] }, { put: [r(3), r(1, 5)], del: [r(2).key] })
    expect(merged.put.map((x) => [x.key, x.time])).toEqual([[r(1).key, 5], [r(3).key, 1_700_000_000]])
    expect(merged.del).toEqual([r(4).key, r(2).key])
    expect(mergeChanges(undefined, merged)).toBe(merged)
  })
})
