import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { groupKey, internalAddress } from '../../src/addrbook/netgroup.ts'
import type { ChainParams, DnsSeed } from '../../src/chainparams/chainparams.ts'
import { createDnsResolver } from '../../src/discovery/dns-resolver.ts'
import { createNameResolver } from '../../src/discovery/name-resolver.ts'
import { MAX_ADDRESSES_PER_SEED, seedFromDns, seedQueryName, seedTimestamp } from '../../src/discovery/seeder.ts'
import { startDnsSeedServer, type DnsSeedServer } from '../../src/sim/dns-seed-server.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { NODE_NETWORK, NODE_WITNESS } from '../../src/wire/services.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'
import { startSocks5Server } from '../helpers/socks5-server.ts'
import { untilIo, useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

const NOW_MS = 1_700_000_000_000
const NOW_S = NOW_MS / 1000
const DAY_S = 86_400
const ONION = 'v7ajjeirttkbnt32wpy3c6w3emwnfr3fkla7hpxcfokr3ysd3kqtzmqd.onion'
const MANY = Array.from({ length: 40 }, (_, i) => `10.0.0.${i + 1}`)

function params (seeds: DnsSeed[]): ChainParams {
  return { name: 'seedtest', magic: Uint8Array.from([1, 2, 3, 4]), defaultPort: 18444, protocolVersion: 70016, allowLocalAddresses: true, dnsSeeds: seeds }
}

describe('seedQueryName and seedTimestamp', () => {
  it('asks a filtering seed for x<services hex> unless only NODE_NETWORK is wanted', () => {
    const filtering = { host: 'seed.example.org', hasFiltering: true }
    expect(seedQueryName(filtering, NODE_NETWORK | NODE_WITNESS)).toBe('x9.seed.example.org')
    expect(seedQueryName(filtering, NODE_NETWORK | NODE_WITNESS | (1n << 10n))).toBe('x409.seed.example.org')
    expect(seedQueryName(filtering, NODE_NETWORK)).toBe('seed.example.org')
    expect(seedQueryName({ host: 'seed.example.org', hasFiltering: false }, NODE_NETWORK | NODE_WITNESS)).toBe('seed.example.org')
  })

  it('dates seeded addresses 3 to 7 days back', () => {
    const random = seededRandom(11)
    const ages = Array.from({ length: 2_000 }, () => NOW_S - seedTimestamp(NOW_S, random))
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(3 * DAY_S)
    expect(Math.max(...ages)).toBeLessThan(7 * DAY_S)
    expect(Math.max(...ages) - Math.min(...ages)).toBeGreaterThan(3.9 * DAY_S)
  })
})

describe('seedFromDns against a dns2 seed server on 127.0.0.1', () => {
  let server: DnsSeedServer
  beforeAll(async () => {
    server = await startDnsSeedServer({
      records: {
        'seed-a.test': { a: ['192.0.2.1', '192.0.2.2', '192.0.2.1'], aaaa: ['2001:db8::1'] },
        'x9.seed-f.test': { a: ['192.0.2.2', '198.51.100.9'] },
        'seed-f.test': { a: ['203.0.113.99'] },
        'many.test': { a: MANY }
      },
      silent: ['dead.test'],
      garbage: ['junk.test']
    })
  })
  afterAll(async () => { await server.close() })
  afterEach(() => { vi.useRealTimers() })

  const components = (logger = recordingLogger()) => ({
    // The resolver's own query timeout is longer than the seed's, so the seed's timeout is what a dead seed hits.
    resolver: createDnsResolver({ servers: [{ host: '127.0.0.1', port: server.port }], clock: systemClock, timeoutMs: 60_000 }),
    clock: systemClock,
    random: seededRandom(5),
    events: logger
  })

  it('resolves every seed at once; failing seeds are reported and logged, never stopping the others', async () => {
    useFakeTimersWithRealIo(NOW_MS)
    const logger = recordingLogger()
    const seeds = [
      { host: 'seed-a.test', hasFiltering: false },
      { host: 'dead.test', hasFiltering: false },
      { host: 'seed-f.test', hasFiltering: true },
      { host: 'junk.test', hasFiltering: false },
      { host: 'absent.test', hasFiltering: false }
    ]
    const seeding = seedFromDns(components(logger), params(seeds), { requiredServices: NODE_NETWORK | NODE_WITNESS, timeoutMs: 10_000 })
    // The live seeds answer over real UDP; only the dead one still needs time to pass.
    await untilIo(() => logger.records.filter((r) => r.event !== undefined).length === 4, 'four seeds to settle')
    await vi.advanceTimersByTimeAsync(10_000)
    const results = await seeding

    expect(results.map((r) => ({ seed: r.seed, queried: r.queried, hosts: r.addrs.map((t) => t.addr.host), error: r.error }))).toEqual([
      { seed: 'seed-a.test', queried: 'seed-a.test', hosts: ['192.0.2.1', '192.0.2.2', '2001:db8::1'], error: undefined },
      { seed: 'dead.test', queried: 'dead.test', hosts: [], error: 'no answer for dead.test within 10000 ms' },
      // 192.0.2.2 came from seed-a already; the filtering seed was asked for x9.
      { seed: 'seed-f.test', queried: 'x9.seed-f.test', hosts: ['198.51.100.9'], error: undefined },
      { seed: 'junk.test', queried: 'junk.test', hosts: [], error: expect.stringMatching(/^junk\.test: malformed answer from 127\.0\.0\.1:\d+ \(/) as unknown },
      { seed: 'absent.test', queried: 'absent.test', hosts: [], error: expect.stringContaining('no such name (NXDOMAIN') as unknown }
    ])
    for (const t of results.flatMap((r) => r.addrs)) {
      expect(t.addr.port).toBe(18444)
      expect(t.services).toBe(NODE_NETWORK | NODE_WITNESS)
      expect(NOW_S - t.time).toBeGreaterThanOrEqual(3 * DAY_S)
      expect(NOW_S - t.time).toBeLessThan(7 * DAY_S)
    }
    // Each seed is its own source (group) for the address book, failing or not.
    expect(results.map((r) => r.source)).toEqual(seeds.map((s) => internalAddress(s.host)))
    expect(new Set(results.map((r) => groupKey(r.source, true))).size).toBe(seeds.length)
    const failures = logger.records.filter((r) => r.event === 'seed_failed')
    // Each seed's failure is debug; the node folds a round's failures into one seeding_failed warning.
    expect(failures.map((r) => [r.fields.seed, r.level])).toEqual([['junk.test', 'debug'], ['absent.test', 'debug'], ['dead.test', 'debug']])
    expect(failures.every((r) => typeof r.fields.reason === 'string' && r.fields.reason !== '')).toBe(true)
  })

  it('asks a filtering seed for the plain name when only NODE_NETWORK is required', async () => {
    const [result] = await seedFromDns(components(), params([{ host: 'seed-f.test', hasFiltering: true }]), { requiredServices: NODE_NETWORK })
    expect(result?.queried).toBe('seed-f.test')
    expect(result?.addrs.map((t) => t.addr.host)).toEqual(['203.0.113.99'])
  })

  it(`keeps at most ${MAX_ADDRESSES_PER_SEED} addresses from one seed`, async () => {
    const [result] = await seedFromDns(components(), params([{ host: 'many.test', hasFiltering: false }]), { requiredServices: NODE_NETWORK })
    expect(result?.addrs.map((t) => t.addr.host)).toEqual(MANY.slice(0, MAX_ADDRESSES_PER_SEED))
  })

  it('uses IP and .onion seeds (as signet lists them) directly, without any lookup', async () => {
    const before = server.queries.length
    const results = await seedFromDns(components(), params([
      { host: '178.128.221.177', hasFiltering: false },
      { host: '2a01:7c8:d005:390::5', hasFiltering: false },
      { host: ONION, hasFiltering: false },
      { host: `${ONION}:38333`, hasFiltering: false }
    ]), { requiredServices: NODE_NETWORK })
    expect(results.map((r) => r.addrs.map((t) => `${t.addr.network} ${t.addr.host} ${t.addr.port}`))).toEqual([
      ['ipv4 178.128.221.177 18444'], ['ipv6 2a01:7c8:d005:390::5 18444'], [`torv3 ${ONION} 18444`], [`torv3 ${ONION} 38333`]
    ])
    expect(server.queries.length).toBe(before)
  })

  it('with a proxy, seed names go to Tor\'s RESOLVE and never to the DNS server', async () => {
    const proxy = await startSocks5Server({ resolve: { 'seed-a.test': '10.9.8.7', 'x9.seed-f.test': '2001:db8::99' } })
    const before = server.queries.length
    const names = createNameResolver({ clock: systemClock, random: seededRandom(1) },
      { proxy: { host: '127.0.0.1', port: proxy.port }, dnsServers: [{ host: '127.0.0.1', port: server.port }] })
    const results = await seedFromDns({ resolver: names.resolver, clock: systemClock, random: seededRandom(2) },
      params([{ host: 'seed-a.test', hasFiltering: false }, { host: 'seed-f.test', hasFiltering: true }]),
      { requiredServices: NODE_NETWORK | NODE_WITNESS })
    expect(results.map((r) => r.addrs.map((t) => t.addr.host))).toEqual([['10.9.8.7'], ['2001:db8::99']])
    expect(proxy.requests.map((r) => [r.command, r.host])).toEqual([['resolve', 'seed-a.test'], ['resolve', 'x9.seed-f.test']])
    expect(server.queries.length).toBe(before)
    await proxy.close()
  })

  it('stops every seed when the caller\'s signal aborts', async () => {
    const controller = new AbortController()
    const seeding = seedFromDns(components(), params([{ host: 'dead.test', hasFiltering: false }]),
      { requiredServices: NODE_NETWORK, signal: controller.signal })
    await untilIo(() => server.queries.some((q) => q.name === 'dead.test'), 'the query')
    controller.abort(new Error('shutting down'))
    expect((await seeding)[0]?.error).toBe('shutting down')
  })
})
