import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import { BanList } from '../../src/banlist/ban-list.ts'
import { parseChainParams, type ChainParams } from '../../src/chainparams/chainparams.ts'
import type { Resolver } from '../../src/discovery/resolver.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { Seeding, type SeedingInit } from '../../src/node/seeding.ts'
import { Sessions } from '../../src/node/sessions.ts'
import { createDialer } from '../../src/transport/create-dialer.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { recordingEvents } from '../helpers/recording-events.ts'
import { EVENT_LOG_FORMATS } from '../../src/node/event-log.ts'
import { EventBus } from '../../src/util/event-bus.ts'
import type { NodeEvents } from '../../src/node/events.ts'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import { DefaultGater } from '../../src/gater/default-gater.ts'
import type { Peer } from '../../src/peer/peer.ts'

// The seeding policy on fake timers. Names resolve from a fixed table (a Resolver like /etc/hosts);
// the seeder, address book and ban list are the real ones.

const PARAMS: ChainParams = parseChainParams({
  name: 'localnet', magic: 'fabfb5da', defaultPort: 18444, protocolVersion: 70016, allowLocalAddresses: true,
  dnsSeeds: [{ host: 'seed-a.test', hasFiltering: false }, { host: 'seed-b.test', hasFiltering: false }]
}, 'test')

function tableResolver (table: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = []
  return {
    asked,
    resolve: async (host) => {
      asked.push(host)
      const ips = table[host]
      if (ips === undefined) throw new Error(`${host}: no such name`)
      return ips
    }
  }
}

function setup (init: Partial<SeedingInit> = {}, preload = 0): { seeding: Seeding, book: AddrBook, resolver: ReturnType<typeof tableResolver>, log: ReturnType<typeof recordingEvents>, banList: BanList } {
  const random = seededRandom(3)
  const clock = systemClock
  const log = recordingEvents()
  const events = new EventBus<NodeEvents>()
  log.attach(events)
  const book = new AddrBook({ clock, random, logger: nullLogger }, { allowLocal: true })
  for (let i = 0; i < preload; i++) book.add([{ addr: { network: 'ipv4', host: `127.50.${i}.1`, port: 18444 }, services: 1n, time: Math.floor(Date.now() / 1000) - 60 }], undefined)
  const banList = new BanList({ clock })
  const resolver = tableResolver({ 'seed-a.test': ['127.10.0.1', '127.11.0.1'], 'seed-b.test': ['127.12.0.1', '127.10.0.1'] })
  const registry = new ConnectionRegistry<Peer>()
  const gater = new DefaultGater({ clock, banList, registry, groupOf: (addr) => book.groupKey(addr) })
  const sessions = new Sessions({ clock, random, peerLogger: nullLogger, events, registry, gater, permissions: (host) => gater.permissions(host), book, banList },
    { params: PARAMS, banning: { enabled: true, threshold: 100, durationMs: 60_000 } })
  const dialer = createDialer({ clock, random, logger: nullLogger }, { connectTimeoutMs: 1_000 })
  const seeding = new Seeding({ clock, random, events, resolver, dialer, gater, sessions, book, banList }, {
    params: PARAMS, dnsSeed: true, seedNodes: [], outboundUp: () => 0, ...init
  })
  return { seeding, book, resolver, log, banList }
}

describe('Seeding', () => {
  beforeEach(() => { vi.useFakeTimers({ now: 1_700_000_000_000 }) })
  afterEach(() => { vi.useRealTimers() })

  it('asks every DNS seed at start when the address book is empty, and fills the book', async () => {
    const { seeding, book, resolver, log } = setup()
    seeding.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(resolver.asked.sort()).toEqual(['seed-a.test', 'seed-b.test'])
    expect(log.events('seeding_started').map((r) => r.fields.reason)).toEqual(['empty_book'])
    expect(log.events('dns_seeded')[0]?.fields).toMatchObject({ seeds: 2, failed: 0, offered: 3, added: 3 })
    expect(book.size().new).toBe(3)
    await seeding.stop()
  })

  it('leaves the seeds alone at start when the book has addresses, but seeds after 11 s without an outbound peer', async () => {
    const { seeding, resolver, log } = setup({}, 5)
    seeding.start()
    await vi.advanceTimersByTimeAsync(10_999)
    expect(resolver.asked).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(resolver.asked).toHaveLength(2)
    expect(log.events('seeding_started').map((r) => r.fields.reason)).toEqual(['no_outbound'])
    await seeding.stop()
  })

  it('does not seed after 11 s when an outbound peer is up', async () => {
    const { seeding, resolver } = setup({ outboundUp: () => 1 }, 5)
    seeding.start()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(resolver.asked).toEqual([])
    await seeding.stop()
  })

  it('reseeds when the book runs dry, at most once a minute, and drops banned addresses', async () => {
    const { seeding, resolver, log, banList, book } = setup({ outboundUp: () => 1 }, 5)
    banList.ban('127.12.0.1')
    seeding.start()
    seeding.dry()
    await vi.advanceTimersByTimeAsync(0)
    expect(resolver.asked).toHaveLength(2)
    expect(book.get({ network: 'ipv4', host: '127.12.0.1', port: 18444 })).toBeUndefined()
    seeding.dry()
    await vi.advanceTimersByTimeAsync(59_000)
    seeding.dry()
    await vi.advanceTimersByTimeAsync(0)
    expect(resolver.asked).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1_000)
    seeding.dry()
    await vi.advanceTimersByTimeAsync(0)
    expect(resolver.asked).toHaveLength(4)
    expect(log.events('seeding_started').map((r) => r.fields.reason)).toEqual(['book_dry', 'book_dry'])
    await seeding.stop()
  })

  it('folds the failed seeds of a round into one seeding_failed warning; each seed_failed is debug', async () => {
    const params = parseChainParams({
      ...PARAMS, magic: 'fabfb5da', dnsSeeds: ['seed-a.test', 'gone-1.test', 'gone-2.test', 'gone-3.test'].map((host) => ({ host, hasFiltering: false }))
    }, 'test')
    const { seeding, log } = setup({ params })
    seeding.start()
    await vi.advanceTimersByTimeAsync(0)
    const summaries = log.events('seeding_failed')
    expect(summaries).toHaveLength(1)
    expect(summaries[0]?.fields).toMatchObject({ seeds: 4, failed: 3 })
    // The table resolver's error names the host, so here every reason is its own group.
    expect(summaries[0]?.message).toBe('DNS seeding: 3 of 4 seeds failed (gone-1.test: gone-1.test: no such name; ' +
      'gone-2.test: gone-2.test: no such name; gone-3.test: gone-3.test: no such name)')
    expect(EVENT_LOG_FORMATS.seeding_failed.level).toBe('warn')
    expect(EVENT_LOG_FORMATS.seed_failed.level).toBe('debug')
    await seeding.stop()
  })

  it('never seeds with --nodnsseed and no seed nodes, nor after stop', async () => {
    const off = setup({ dnsSeed: false })
    off.seeding.start()
    off.seeding.dry()
    await vi.advanceTimersByTimeAsync(20_000)
    expect(off.resolver.asked).toEqual([])

    const stopped = setup({}, 5)
    stopped.seeding.start()
    await stopped.seeding.stop()
    stopped.seeding.dry()
    await vi.advanceTimersByTimeAsync(20_000)
    expect(stopped.resolver.asked).toEqual([])
  })
})

describe('seeding_failed', () => {
  it('groups seeds that failed for the same reason on one line', () => {
    const message = EVENT_LOG_FORMATS.seeding_failed.message({ seeds: 5, failed: 4, reasons: [{ reason: 'timeout', seeds: ['a.test', 'b.test', 'c.test'] }, { reason: 'SERVFAIL', seeds: ['d.test'] }] })
    expect(message).toBe('DNS seeding: 4 of 5 seeds failed (a.test, b.test, c.test: timeout; d.test: SERVFAIL)')
  })
})
