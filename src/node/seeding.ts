import type { AddrBook } from '../addrbook/addr-book.ts'
import type { BanList } from '../banlist/ban-list.ts'
import type { ChainParams } from '../chainparams/chainparams.ts'
import { seedFromDns, type SeedResult } from '../discovery/seeder.ts'
import { addrKey, type HostPort } from '../netaddr/netaddress.ts'
import { abortFanout, type Clock, type TimerHandle } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { Startable } from '../util/startable.ts'
import { NODE_NETWORK } from '../wire/services.ts'
import { fetchAddresses, type AddrFetchComponents } from './addr-fetch.ts'
import type { NodeEventMap, SeedReason } from './events.ts'
import type { SeederEventMap } from '../discovery/events.ts'
import type { EventSink } from '../util/event-bus.ts'
import { WorkSet } from '../util/work-set.ts'

/** Core's DNSSEEDS_DELAY_FEW_PEERS: seed anyway when no outbound connection is up this long after start. */
export const SEED_DELAY_MS = 11_000
/** A dry book reseeds at most this often, sparing the seeds while the node keeps asking for addresses. */
export const RESEED_INTERVAL_MS = 60_000


export interface SeedingComponents extends AddrFetchComponents {
  events: EventSink<NodeEventMap & SeederEventMap>
  random: Random
  book: AddrBook
  banList: BanList
}

export interface SeedingInit {
  params: ChainParams
  /** False with --nodnsseed or --connect. */
  dnsSeed: boolean
  seedNodes: readonly HostPort[]
  /** Automatic outbound connections up now. */
  outboundUp(): number
  /** @default SEED_DELAY_MS */
  seedDelayMs?: number
  /** @default RESEED_INTERVAL_MS */
  reseedIntervalMs?: number
}

/**
 * When the node asks for addresses: DNS seeds and --seednode peers are asked when the book is empty at
 * start, when no outbound connection is up 11 s after start, or when the book runs dry — not at every
 * start, which would leak that we run and load the seeds for nothing (Core's policy).
 */
export class Seeding implements Startable {
  readonly #c: SeedingComponents
  readonly #init: SeedingInit
  readonly #seedDelayMs: number
  readonly #reseedIntervalMs: number
  readonly #work = new WorkSet()
  #controller = new AbortController()
  #started = false
  #timer: TimerHandle | undefined
  #lastSeedMs: number | undefined

  constructor (components: SeedingComponents, init: SeedingInit) {
    this.#c = components
    this.#init = init
    this.#seedDelayMs = init.seedDelayMs ?? SEED_DELAY_MS
    this.#reseedIntervalMs = init.reseedIntervalMs ?? RESEED_INTERVAL_MS
  }

  get enabled (): boolean {
    return this.#init.dnsSeed || this.#init.seedNodes.length > 0
  }

  start (): void {
    if (!this.enabled || this.#started) return
    this.#started = true
    this.#controller = new AbortController()
    const size = this.#c.book.size()
    if (size.new + size.tried === 0) this.#seed('empty_book')
    this.#timer = this.#c.clock.setTimeout(() => {
      this.#timer = undefined
      if (this.#init.outboundUp() === 0) this.#seed('no_outbound')
    }, this.#seedDelayMs)
  }

  /** The book had nothing to offer: reseed unless that was done recently. */
  dry (): void {
    if (!this.#started || this.#controller.signal.aborted) return
    const last = this.#lastSeedMs
    if (last !== undefined && this.#c.clock.now() - last < this.#reseedIntervalMs) return
    this.#seed('book_dry')
  }

  async stop (): Promise<void> {
    if (this.#timer !== undefined) this.#c.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#controller.abort()
    await this.#work.settled()
  }

  #seed (reason: SeedReason): void {
    if (this.#work.size > 0) return // one round at a time
    this.#lastSeedMs = this.#c.clock.now()
    this.#c.events.emit('seeding_started', { reason, dnsSeeds: this.#init.dnsSeed ? this.#init.params.dnsSeeds.length : 0, seedNodes: this.#init.seedNodes.length })
    // One listener on the shutdown signal however many --seednode peers are asked at once.
    const fanout = abortFanout(this.#controller.signal)
    const work = Promise.all([
      this.#init.dnsSeed ? this.#dns(fanout.child()) : Promise.resolve(),
      ...this.#init.seedNodes.map(async (seed) => { await fetchAddresses(this.#c, seed, fanout.child()) })
    ]).then(() => {}).finally(fanout.release)
    this.#work.add(work)
  }

  async #dns (signal: AbortSignal): Promise<void> {
    const { clock, random, resolver, book, banList, events } = this.#c
    let added = 0
    let offered = 0
    const seen = new Set<string>()
    // Each seed's answer goes into the book as it arrives (the book tells the connection manager).
    const onResult = (result: SeedResult): void => {
      const addrs = result.addrs.filter((t) => {
        const key = addrKey(t.addr)
        if (seen.has(key) || banList.isBanned(t.addr.host)) return false
        seen.add(key)
        return true
      })
      offered += addrs.length
      added += book.add(addrs, result.source)
    }
    const results = await seedFromDns({ clock, random, resolver, events }, this.#init.params, { requiredServices: NODE_NETWORK, signal, onResult })
    const failures = results.filter((r) => r.error !== undefined)
    if (failures.length > 0) events.emit('seeding_failed', { seeds: results.length, failed: failures.length, reasons: byReason(failures) })
    events.emit('dns_seeded', { seeds: results.length, failed: failures.length, offered, added, ...book.size() })
  }
}

/** The failed seeds grouped by their reason, in first-seen order: one line per round, however many seeds. */
function byReason (failures: ReadonlyArray<{ seed: string, error?: string }>): Array<{ reason: string, seeds: string[] }> {
  const groups = new Map<string, string[]>()
  for (const f of failures) {
    const reason = f.error ?? 'failed'
    groups.set(reason, [...(groups.get(reason) ?? []), f.seed])
  }
  return [...groups].map(([reason, seeds]) => ({ reason, seeds }))
}
