import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import { selectOutbound } from '../../src/addrbook/select-outbound.ts'
import { DEFAULT_SELECTION, type Selection } from '../../src/addrbook/select.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress, TimedAddress } from '../../src/netaddr/netaddress.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { nowMs, repeat, summarize } from '../lib/stats.ts'
import type { Suite } from '../lib/result.ts'

const INSERTS = 100_000
const SELECTIONS = 1_000_000
const OUTBOUND_SELECTIONS = 100_000
const PERSISTED = 80_000
const ROUNDS = 5
const BUDGET_MS = 8_000

/** Routable, distinct addresses spread over many /16 groups, gossiped by 1,000 different sources. */
function addresses (count: number, nowS: number): Array<{ timed: TimedAddress, source: NetAddress }> {
  const out: Array<{ timed: TimedAddress, source: NetAddress }> = []
  for (let i = 0; i < count; i++) {
    const host = `${11 + (i % 200)}.${(i >> 8) & 255}.${i & 255}.${1 + ((i >> 16) & 127)}`
    const source: NetAddress = { network: 'ipv4', host: `${30 + (i % 150)}.${i % 251}.1.1`, port: 8333 }
    out.push({ timed: { addr: { network: 'ipv4', host, port: 8333 }, services: 1033n, time: nowS - 3600 }, source })
  }
  return out
}

function filledBook (count: number, seed: number, selection: Selection = DEFAULT_SELECTION): AddrBook {
  const book = new AddrBook({ clock: systemClock, random: seededRandom(seed), logger: nullLogger }, { allowLocal: false, selection })
  for (const { timed, source } of addresses(count, Math.floor(Date.now() / 1000))) book.add([timed], source)
  return book
}

/** Measurement 5: address-book insert, selection, and LevelDB save/load. */
export const addrBookSuite: Suite = {
  name: 'addrbook',
  async run (report) {
    const nowS = Math.floor(Date.now() / 1000)
    const input = addresses(INSERTS, nowS)
    const insertSamples = await repeat(ROUNDS, BUDGET_MS, (round) => {
      const book = new AddrBook({ clock: systemClock, random: seededRandom(round), logger: nullLogger }, { allowLocal: false })
      const start = nowMs()
      for (const { timed, source } of input) book.add([timed], source)
      return nowMs() - start
    })
    report({ name: `5 insert ${INSERTS.toLocaleString('en')} addresses`, unit: 'ms', summary: summarize(insertSamples), extra: { perInsertUs: (summarize(insertSamples).median * 1000 / INSERTS).toFixed(2) } })

    const book = filledBook(INSERTS, 1)
    const size = book.size()
    const selectRounds = async (from: AddrBook): Promise<number[]> => await repeat(ROUNDS, BUDGET_MS, () => {
      const start = nowMs()
      for (let i = 0; i < SELECTIONS; i++) from.select()
      return (nowMs() - start) * 1000 / SELECTIONS
    })
    const selectSamples = await selectRounds(book)
    report({ name: `5 select (${SELECTIONS.toLocaleString('en')} per round)`, unit: 'µs/op', summary: summarize(selectSamples), extra: { new: size.new, tried: size.tried, selection: DEFAULT_SELECTION } })
    report({ name: '5 select, Core\'s bucket walk (--selection core)', unit: 'µs/op', summary: summarize(await selectRounds(filledBook(INSERTS, 1, 'core'))) })

    const inUseKeys = new Set<string>()
    const inUseGroups = new Set<string>()
    // attempt() is a no-op here so every round sees the same book: this measures the tiers, not a drained book.
    const readOnly = { select: () => book.select(), attempt: () => {} }
    const outboundSamples = await repeat(ROUNDS, BUDGET_MS, () => {
      const start = nowMs()
      for (let i = 0; i < OUTBOUND_SELECTIONS; i++) {
        selectOutbound(readOnly, { nowMs: Date.now(), defaultPort: 8333, inUseKeys, inUseGroups, isBanned: () => false })
      }
      return (nowMs() - start) * 1000 / OUTBOUND_SELECTIONS
    })
    report({ name: '5 selectOutbound (getNewAddress tiers)', unit: 'µs/op', summary: summarize(outboundSamples) })

    const saveSamples: number[] = []
    const loadSamples: number[] = []
    const persisted = filledBook(PERSISTED, 2)
    for (let round = 0; round < 3; round++) {
      const dir = await mkdtemp(join(tmpdir(), 'pk-bench-store-'))
      try {
        const store = await NodeStore.open(dir, { clock: systemClock })
        let start = nowMs()
        await store.saveAddrBookKey(persisted.key)
        await store.writeAddrChanges({ put: persisted.exportRecords(), del: [] })
        await store.close()
        saveSamples.push(nowMs() - start)
        start = nowMs()
        const reopened = await NodeStore.open(dir, { clock: systemClock })
        const contents = reopened.takeContents()
        const loaded = new AddrBook({ clock: systemClock, random: seededRandom(3), logger: nullLogger }, { allowLocal: false, ...(contents.addrBookKey === undefined ? {} : { key: contents.addrBookKey }) })
        const { loaded: count } = loaded.loadRecords(contents.addrRecords)
        loadSamples.push(nowMs() - start)
        await reopened.close()
        if (count !== persisted.size().new + persisted.size().tried) throw new Error(`loaded ${count} records`)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    }
    report({ name: `5 save ${PERSISTED.toLocaleString('en')} addresses to LevelDB`, unit: 'ms', summary: summarize(saveSamples) })
    report({ name: `5 load ${PERSISTED.toLocaleString('en')} addresses from LevelDB`, unit: 'ms', summary: summarize(loadSamples), extra: { goal: 'well under 1000 ms' } })
  }
}
