import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { DnsMalformedResponseError, DnsNameError } from '../../src/discovery/errors.ts'
import { queryDns } from '../../src/discovery/dns-query.ts'
import { createDnsResolver } from '../../src/discovery/dns-resolver.ts'
import { startDnsSeedServer, type DnsSeedServer } from '../../src/sim/dns-seed-server.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { untilIo, useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

const live = (): AbortSignal => new AbortController().signal

describe('DnsResolver against a dns2 server on 127.0.0.1', () => {
  let server: DnsSeedServer
  let other: DnsSeedServer
  const at = (s: DnsSeedServer) => ({ host: '127.0.0.1', port: s.port })
  const asked = (s: DnsSeedServer, name: string) => s.queries.filter((q) => q.name === name).length

  beforeAll(async () => {
    server = await startDnsSeedServer({
      records: { 'both.test': { a: ['192.0.2.1', '192.0.2.2'], aaaa: ['2001:db8::1'] }, 'v4only.test': { a: ['192.0.2.9'] } },
      silent: ['silent.test', 'flaky.test'],
      garbage: ['junk.test']
    })
    other = await startDnsSeedServer({ records: { 'flaky.test': { a: ['198.51.100.4'] } } })
  })
  afterAll(async () => {
    await server.close()
    await other.close()
  })
  afterEach(() => { vi.useRealTimers() })

  it('returns the A and AAAA addresses of a name together', async () => {
    const resolver = createDnsResolver({ servers: [at(server)] })
    expect(await resolver.resolve('both.test', { signal: live() })).toEqual(['192.0.2.1', '192.0.2.2', '2001:db8::1'])
    expect(await resolver.resolve('V4ONLY.test.', { signal: live() })).toEqual(['192.0.2.9'])
  })

  it('returns an IP literal without asking anyone', async () => {
    const before = server.queries.length
    expect(await createDnsResolver({ servers: [at(server)] }).resolve('2001:db8::77', { signal: live() })).toEqual(['2001:db8::77'])
    expect(server.queries.length).toBe(before)
  })

  it('reports an unknown name as NXDOMAIN', async () => {
    const err = await createDnsResolver({ servers: [at(server)] }).resolve('nobody.test', { signal: live() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DnsNameError)
    expect((err as Error).message).toBe(`nobody.test: no such name (NXDOMAIN from 127.0.0.1:${server.port})`)
  })

  it('reports an undecodable answer as malformed, naming the server', async () => {
    const err = await createDnsResolver({ servers: [at(server)] }).resolve('junk.test', { signal: live() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DnsMalformedResponseError)
    expect((err as Error).message).toMatch(new RegExp(`^junk\\.test: malformed answer from 127\\.0\\.0\\.1:${server.port} \\(`))
  })

  it('times out on the injected clock, re-sending the query meanwhile', async () => {
    useFakeTimersWithRealIo()
    const resolver = createDnsResolver({ servers: [at(server)], timeoutMs: 5_000, clock: systemClock })
    const before = asked(server, 'silent.test')
    const outcome = resolver.resolve('silent.test', { signal: live() }).catch((e: unknown) => e)
    await untilIo(() => asked(server, 'silent.test') === before + 2, 'the A and AAAA queries')
    await vi.advanceTimersByTimeAsync(2_000)
    await untilIo(() => asked(server, 'silent.test') === before + 4, 'the retransmitted queries')
    await vi.advanceTimersByTimeAsync(2_999)
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)
    const err = await outcome
    expect((err as Error).message).toBe(`A: silent.test: no A answer from 127.0.0.1:${server.port} within 5000 ms; ` +
      `AAAA: silent.test: no AAAA answer from 127.0.0.1:${server.port} within 5000 ms`)
    expect((err as Error).name).toBe('DnsQueryError')
  })

  it('takes the first answer when several servers are configured and one is silent', async () => {
    const resolver = createDnsResolver({ servers: [at(server), at(other)] })
    expect(await resolver.resolve('flaky.test', { signal: live() })).toEqual(['198.51.100.4'])
  })

  it('stops when the signal aborts, with its reason', async () => {
    const controller = new AbortController()
    const before = asked(server, 'silent.test')
    const lookup = createDnsResolver({ servers: [at(server)] }).resolve('silent.test', { signal: controller.signal })
    await untilIo(() => asked(server, 'silent.test') === before + 2, 'the queries')
    controller.abort(new Error('seeding cancelled'))
    await expect(lookup).rejects.toThrow('seeding cancelled')
  })

  describe('truncated (TC) answers', () => {
    const many = Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`)
    const manyV6 = Array.from({ length: 20 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`)
    let withTcp: DnsSeedServer
    let udpOnly: DnsSeedServer
    let emptyTruncated: DnsSeedServer
    beforeAll(async () => {
      withTcp = await startDnsSeedServer({ records: { 'many.test': { a: many, aaaa: manyV6 } }, truncateAbove: 10, tcp: true })
      udpOnly = await startDnsSeedServer({ records: { 'many.test': { a: many } }, truncateAbove: 10 })
      emptyTruncated = await startDnsSeedServer({ records: { 'many.test': { a: many } }, truncateAbove: 0 })
    })
    afterAll(async () => {
      await withTcp.close()
      await udpOnly.close()
      await emptyTruncated.close()
    })

    it('asks again over TCP and returns every record', async () => {
      const resolver = createDnsResolver({ servers: [at(withTcp)] })
      expect(await resolver.resolve('many.test', { signal: live() })).toEqual([...many, ...manyV6])
      expect(withTcp.queries.map((q) => `${q.type}/${q.transport}`).sort()).toEqual(['A/tcp', 'A/udp', 'AAAA/tcp', 'AAAA/udp'])
    })

    it('falls back to the records of the truncated answer when TCP is refused', async () => {
      const resolver = createDnsResolver({ servers: [at(udpOnly)] })
      expect(await resolver.resolve('many.test', { signal: live() })).toEqual(many.slice(0, 10))
    })

    it('says so when a truncated answer held nothing and TCP failed', async () => {
      const err = await queryDns('many.test', 'A', [at(emptyTruncated)], { clock: systemClock, random: seededRandom(1), signal: live(), timeoutMs: 5_000 }).catch((e: unknown) => e)
      expect((err as Error).message).toMatch(new RegExp(`^many\\.test: the A answer from 127\\.0\\.0\\.1:${emptyTruncated.port} was truncated and TCP failed \\(.*ECONNREFUSED`))
    })
  })
})
