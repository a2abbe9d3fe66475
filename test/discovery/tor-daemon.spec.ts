import { isIPv4, isIPv6 } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChainParams } from '../../src/chainparams/chainparams.ts'
import { createNameResolver } from '../../src/discovery/name-resolver.ts'
import { seedFromDns } from '../../src/discovery/seeder.ts'
import { TorStatusError } from '../../src/discovery/errors.ts'
import { torLookupIP } from '../../src/discovery/tor-resolve.ts'
import { ProxyError } from '../../src/transport/errors.ts'
import { SocksDialer } from '../../src/transport/socks-dialer.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { NODE_NETWORK } from '../../src/wire/services.ts'
import { findTor, nonLoopbackEndpoints, startTorDaemon, type TorDaemon } from '../helpers/tor-daemon.ts'

const TOR = findTor()
if (TOR === undefined) {
  console.log('SKIPPED test/discovery/tor-daemon.spec.ts: no `tor` executable (install the Debian package `tor`; .ci/run does)')
}
const ONION = 'v7ajjeirttkbnt32wpy3c6w3emwnfr3fkla7hpxcfokr3ysd3kqtzmqd.onion'
/** Tor's default VirtualAddrNetworkIPv4 (127.192.0.0/10): automapped IPv4 answers fall in it. */
const AUTOMAP_IPV4 = /^127\.(19[2-9]|2[0-5]\d)\./

// One offline tor for the whole file (it takes a second or two to start). Time here is tor's own:
// its SocksTimeout (5 s) is what fails unmapped names, so those few cases take ~5 s of real time.
describe.skipIf(TOR === undefined)('against a real, offline tor daemon on loopback', () => {
  let tor: TorDaemon
  const v6 = () => ({ host: '127.0.0.1', port: tor.socksPort })
  const v4 = () => ({ host: '127.0.0.1', port: tor.socksPortV4 })

  beforeAll(async () => { tor = await startTorDaemon(TOR ?? 'tor') })
  afterAll(async () => { await tor?.stop() })

  it('RESOLVE of a .test name returns an automapped IPv6 address, the same one each time', async () => {
    const [first] = await torLookupIP('seed-one.test', v6())
    expect(isIPv6(first ?? '')).toBe(true)
    expect(await torLookupIP('seed-one.test', v6())).toEqual([first])
    const [other] = await torLookupIP('seed-two.test', v6())
    expect(other).not.toBe(first)
  })

  it('with NoPreferIPv6Automap the mapped address is IPv4 in tor\'s virtual range', async () => {
    const [address] = await torLookupIP('seed-one.test', v4())
    expect(isIPv4(address ?? '')).toBe(true)
    expect(address).toMatch(AUTOMAP_IPV4)
  })

  it('maps a .onion name too, and accepts isolation credentials', async () => {
    const [address] = await torLookupIP(ONION, v4(), { credentials: { username: 'a1b2', password: 'c3d4' } })
    expect(address).toMatch(AUTOMAP_IPV4)
  })

  it.concurrent('RESOLVE of any other name fails with status 4 (host unreachable) once tor gives up', async () => {
    const err = await torLookupIP('example.com', v6()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TorStatusError)
    expect(err).toMatchObject({ status: 4, message: 'tor host is unreachable (SOCKS5 status 0x04) resolving example.com' })
  })

  it.concurrent('seeds through tor: each name resolved by RESOLVE, failures reported per seed', async () => {
    const params: ChainParams = {
      name: 'tortest',
      magic: Uint8Array.from([1, 2, 3, 4]),
      defaultPort: 18444,
      protocolVersion: 70016,
      allowLocalAddresses: true,
      dnsSeeds: [{ host: 'seed-a.test', hasFiltering: false }, { host: 'seed-b.test', hasFiltering: true }, { host: 'no-such-seed.example', hasFiltering: false }]
    }
    const names = createNameResolver({ clock: systemClock, random: seededRandom(3) }, { proxy: v4() })
    expect(names.via).toBe(`tor via 127.0.0.1:${tor.socksPortV4}`)
    const results = await seedFromDns({ resolver: names.resolver, clock: systemClock, random: seededRandom(4) }, params,
      { requiredServices: NODE_NETWORK | 8n })
    expect(results.map((r) => [r.seed, r.queried, r.addrs.length])).toEqual([
      ['seed-a.test', 'seed-a.test', 1], ['seed-b.test', 'x9.seed-b.test', 1], ['no-such-seed.example', 'no-such-seed.example', 0]
    ])
    expect(results[0]?.addrs[0]?.addr).toMatchObject({ network: 'ipv4', port: 18444 })
    expect(results[2]?.error).toBe('tor host is unreachable (SOCKS5 status 0x04) resolving no-such-seed.example')
  })

  it.concurrent('a CONNECT tor cannot complete ends the dial with tor\'s reason', async () => {
    const dialer = new SocksDialer({ clock: systemClock, random: seededRandom(5) }, { proxy: v6(), connectTimeoutMs: 20_000 })
    const err = await dialer.dial({ network: 'torv3', host: ONION, port: 8333 }, { signal: new AbortController().signal }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProxyError)
    expect((err as Error).message).toMatch(new RegExp(`^proxy 127\\.0\\.0\\.1:${tor.socksPort}: could not connect to ${ONION}:8333: Socks5 proxy rejected connection`))
  })

  it('tor contacted nothing but loopback (its unscrubbed log lists every endpoint it tried)', () => {
    const log = tor.log()
    expect(log).toContain('127.0.0.1:9')
    expect(nonLoopbackEndpoints(log)).toEqual([])
  })
})
