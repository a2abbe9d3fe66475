import { createSocket } from 'node:dgram'
import { Packet } from 'dns2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { internalAddress } from '../../src/addrbook/netgroup.ts'
import type { ChainParams } from '../../src/chainparams/chainparams.ts'
import { DnsNameError } from '../../src/discovery/errors.ts'
import { createDnsResolver } from '../../src/discovery/dns-resolver.ts'
import { MAX_ADDRESSES_PER_SEED, seedFromDns } from '../../src/discovery/seeder.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { NODE_NETWORK } from '../../src/wire/services.ts'
import { findDnsmasq, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts'

const DNSMASQ = findDnsmasq()
if (DNSMASQ === undefined) {
  console.log('SKIPPED test/discovery/dnsmasq.spec.ts: no `dnsmasq` executable (install the Debian package `dnsmasq-base`; .ci/run does)')
}

/** More records than one 1232-byte datagram holds (about 75 A or 43 AAAA), so dnsmasq sets TC over UDP. */
const MANY_A = Array.from({ length: 150 }, (_, i) => `10.1.0.${i + 1}`)
const MANY_AAAA = Array.from({ length: 60 }, (_, i) => `2001:db8:1::${(i + 1).toString(16)}`)
const live = (): AbortSignal => new AbortController().signal

/** One raw UDP query, encoded by dns2 and advertising our EDNS size: what dnsmasq itself sends back. */
async function udpAnswer (port: number, name: string, type: 'A' | 'AAAA'): Promise<Packet> {
  const query = new Packet()
  query.header.id = 4242
  query.header.rd = 1
  query.questions.push(new Packet.Question(name, Packet.TYPE[type], Packet.CLASS.IN))
  query.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: 1232 }))
  const socket = createSocket('udp4')
  try {
    const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve))
    socket.send(query.toBuffer(), port, '127.0.0.1')
    return Packet.parse(await answer)
  } finally {
    socket.close()
  }
}

// An independent DNS implementation (dnsmasq's own codec and truncation), not dns2 on both sides.
describe.skipIf(DNSMASQ === undefined)('DNS seeding against dnsmasq on loopback', () => {
  let dnsmasq: Dnsmasq
  const server = () => ({ host: '127.0.0.1', port: dnsmasq.port })

  beforeAll(async () => {
    dnsmasq = await startDnsmasq(DNSMASQ ?? 'dnsmasq', {
      'seed-a.test': ['192.0.2.1', '192.0.2.2', '2001:db8::1', '2001:db8::2'],
      'seed-v6.test': ['2001:db8:6::1'],
      'many.test': [...MANY_A, ...MANY_AAAA]
    })
  })
  afterAll(async () => { await dnsmasq?.stop() })

  it('returns A and AAAA records', async () => {
    const resolver = createDnsResolver({ servers: [server()] })
    expect((await resolver.resolve('seed-a.test', { signal: live() })).sort()).toEqual(['192.0.2.1', '192.0.2.2', '2001:db8::1', '2001:db8::2'])
    expect(await resolver.resolve('seed-v6.test', { signal: live() })).toEqual(['2001:db8:6::1'])
  })

  it('dnsmasq truncates the large answers over UDP (TC set, records cut)', async () => {
    const a = await udpAnswer(dnsmasq.port, 'many.test', 'A')
    const aaaa = await udpAnswer(dnsmasq.port, 'many.test', 'AAAA')
    expect([a.header.tc, aaaa.header.tc]).toEqual([1, 1])
    expect(a.answers.length).toBeLessThan(MANY_A.length)
    expect(aaaa.answers.length).toBeLessThan(MANY_AAAA.length)
  })

  it('a truncated answer is asked again over TCP and every record comes back', async () => {
    const addresses = await createDnsResolver({ servers: [server()] }).resolve('many.test', { signal: live() })
    expect(addresses.slice().sort()).toEqual([...MANY_A, ...MANY_AAAA].sort())
  })

  it('an unknown name is NXDOMAIN', async () => {
    const err = await createDnsResolver({ servers: [server()] }).resolve('absent.test', { signal: live() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DnsNameError)
    expect((err as Error).message).toBe(`absent.test: no such name (NXDOMAIN from 127.0.0.1:${dnsmasq.port})`)
  })

  it('seedFromDns: each seed its own source, at most 32 addresses a seed, failures reported', async () => {
    const params: ChainParams = {
      name: 'dnsmasqtest', magic: Uint8Array.from([1, 2, 3, 4]), defaultPort: 18444, protocolVersion: 70016, allowLocalAddresses: true,
      dnsSeeds: [{ host: 'seed-a.test', hasFiltering: false }, { host: 'many.test', hasFiltering: false }, { host: 'absent.test', hasFiltering: false }]
    }
    const resolver = createDnsResolver({ servers: [server()] })
    const results = await seedFromDns({ resolver, clock: systemClock, random: seededRandom(3) }, params, { requiredServices: NODE_NETWORK })
    expect(results.map((r) => [r.seed, r.addrs.length, r.error === undefined])).toEqual([
      ['seed-a.test', 4, true], ['many.test', MAX_ADDRESSES_PER_SEED, true], ['absent.test', 0, false]
    ])
    expect(results.map((r) => r.source)).toEqual(params.dnsSeeds.map((s) => internalAddress(s.host)))
    expect(results[1]?.addrs.every((t) => t.addr.port === 18444)).toBe(true)
  })
})
