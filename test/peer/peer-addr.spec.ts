import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { NetAddress, TimedAddress } from '../../src/netaddr/netaddress.ts'
import type { PeerInit } from '../../src/peer/types.ts'
import { ProtocolError } from '../../src/wire/errors.ts'
import type { AddrMessage } from '../../src/wire/messages.ts'
import { peerWithScriptedRemote, remoteVersion, useFakeClock, type PeerFixture } from '../helpers/peer-fixture.ts'
import { isCommand } from '../helpers/wire-client.ts'

/** Long enough to refill a whole bucket (1000 tokens at 0.1/s) without keep-alive timers getting in the way. */
const QUIET = { timeouts: { pingIntervalMs: 1e9, pingTimeoutMs: 1e9, idleTimeoutMs: 1e9 } }
const FULL_REFILL_MS = 10_000_000

const ONION = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion'

function addresses (count: number, from = 0): TimedAddress[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k
    return { addr: { network: 'ipv4', host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8333 }, services: 1n, time: 1_700_000_000 }
  })
}

describe('Peer address exchange', () => {
  const fixtures: PeerFixture[] = []
  let sunk: Array<{ addrs: TimedAddress[], source: NetAddress }>
  const established = async (init: Partial<PeerInit> = {}, sendAddrV2 = false): Promise<PeerFixture> => {
    const f = await peerWithScriptedRemote({ addrSink: { addAddresses: (addrs, source) => { sunk.push({ addrs, source }) } }, ...init })
    fixtures.push(f)
    const done = f.peer.handshake()
    if (f.peer.direction === 'outbound') await f.remote.next(isCommand('version'))
    f.remote.send(remoteVersion())
    if (sendAddrV2) f.remote.send({ command: 'sendaddrv2' })
    if (f.peer.direction === 'inbound') await f.remote.next(isCommand('version'))
    f.remote.send({ command: 'verack' })
    await done
    await f.remote.next(isCommand('ping'))
    return f
  }
  /** A ping/pong round trip: everything sent before it has been processed by the peer. */
  const settle = async (f: PeerFixture): Promise<void> => {
    f.remote.send({ command: 'ping', nonce: 77n })
    await f.remote.next((m) => !(m instanceof ProtocolError) && m.command === 'pong')
  }
  const sunkCount = (): number => sunk.reduce((n, s) => n + s.addrs.length, 0)
  const sentCommands = (f: PeerFixture): string[] => f.remote.received.map((m) => m instanceof ProtocolError ? m.kind : m.command)

  beforeEach(() => {
    useFakeClock()
    sunk = []
  })
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.close()
    vi.useRealTimers()
  })

  it('sends getaddr after an outbound handshake when the address book wants more, not otherwise', async () => {
    const wanting = await established({ wantAddresses: () => true })
    await settle(wanting)
    expect(sentCommands(wanting)).toContain('getaddr')
    const sated = await established({ wantAddresses: () => false })
    await settle(sated)
    expect(sentCommands(sated)).not.toContain('getaddr')
    const inbound = await established({ direction: 'inbound', wantAddresses: () => true })
    await settle(inbound)
    expect(sentCommands(inbound)).not.toContain('getaddr')
  })

  it('takes the full answer to our getaddr into the sink, with this peer as the source', async () => {
    const f = await established({ wantAddresses: () => true })
    const seen = new Promise<TimedAddress[]>((resolve) => f.peer.once('addr', resolve))
    f.remote.send({ command: 'addr', addrs: addresses(1000) })
    expect(await seen).toHaveLength(1000)
    expect(sunk).toHaveLength(1)
    expect(sunk[0]?.source).toEqual(f.peer.addr)
    expect(sunk[0]?.addrs[999]?.addr.host).toBe('10.0.3.231')
  })

  it("rate-limits gossip with Core's bucket (0.1/s, burst 1000, starts at 1); excess dropped, not punished", async () => {
    const f = await established({ wantAddresses: () => false, ...QUIET })
    f.remote.send({ command: 'addr', addrs: addresses(10) })
    await settle(f)
    expect(sunkCount()).toBe(1) // the bucket starts with one token, for a self-announcement
    await vi.advanceTimersByTimeAsync(100_000) // +10 tokens
    f.remote.send({ command: 'addrv2', addrs: addresses(50, 100) })
    await settle(f)
    expect(sunkCount()).toBe(11)
    await vi.advanceTimersByTimeAsync(FULL_REFILL_MS)
    f.remote.send({ command: 'addr', addrs: addresses(1000, 1000) })
    f.remote.send({ command: 'addr', addrs: addresses(1000, 2000) })
    await settle(f)
    expect(sunkCount()).toBe(1011) // capped at 1000, the second message got nothing
    expect(f.peer.banScore.int()).toBe(0)
  })

  it('adds 1000 tokens for the answer to our getaddr, on top of the starting token', async () => {
    const f = await established({ wantAddresses: () => true, ...QUIET })
    f.remote.send({ command: 'addr', addrs: addresses(1000) })
    f.remote.send({ command: 'addr', addrs: addresses(10, 5000) })
    await settle(f)
    expect(sunkCount()).toBe(1001)
    await vi.advanceTimersByTimeAsync(100_000) // +10
    f.remote.send({ command: 'addr', addrs: addresses(20, 6000) })
    await settle(f)
    expect(sunkCount()).toBe(1011)
  })

  it('does not rate-limit peers with the addr permission', async () => {
    const f = await established({ permissions: { noban: false, addr: true } })
    f.remote.send({ command: 'addr', addrs: addresses(1000) })
    f.remote.send({ command: 'addr', addrs: addresses(1000, 1000) })
    await settle(f)
    expect(sunkCount()).toBe(2000)
  })

  it("answers an inbound peer's getaddr once per connection with at most 1000 addresses", async () => {
    let asked = 0
    const f = await established({ direction: 'inbound', getAddrSample: () => { asked++; return addresses(1500) } })
    f.remote.send({ command: 'getaddr' })
    const reply = await f.remote.next<AddrMessage>(isCommand('addr'))
    expect(reply.addrs).toHaveLength(1000)
    f.remote.send({ command: 'getaddr' })
    await settle(f)
    expect(f.remote.received.filter(isCommand('addr'))).toHaveLength(1)
    expect(asked).toBe(1)
  })

  it('ignores getaddr from an outbound peer (no fingerprinting through our book)', async () => {
    const getAddrSample = vi.fn(() => addresses(5))
    const f = await established({ getAddrSample })
    f.remote.send({ command: 'getaddr' })
    await settle(f)
    expect(getAddrSample).not.toHaveBeenCalled()
    expect(sentCommands(f)).not.toContain('addr')
  })

  it('uses addrv2 (with onion addresses) for peers that sent sendaddrv2, addr (IP only) otherwise', async () => {
    const sample = (): TimedAddress[] => [...addresses(2), { addr: { network: 'torv3', host: ONION, port: 8333 }, services: 1n, time: 1_700_000_000 }]
    const v2 = await established({ direction: 'inbound', getAddrSample: sample }, true)
    v2.remote.send({ command: 'getaddr' })
    const v2reply = await v2.remote.next<AddrMessage>(isCommand('addrv2'))
    expect(v2reply.addrs.map((a) => a.addr.host)).toEqual(['10.0.0.0', '10.0.0.1', ONION])
    const v1 = await established({ direction: 'inbound', getAddrSample: sample })
    v1.remote.send({ command: 'getaddr' })
    const v1reply = await v1.remote.next<AddrMessage>(isCommand('addr'))
    expect(v1reply.addrs.map((a) => a.addr.host)).toEqual(['10.0.0.0', '10.0.0.1'])
  })

  it('accepts an onion address gossiped over addrv2', async () => {
    const f = await established({}, true)
    f.remote.send({ command: 'addrv2', addrs: [{ addr: { network: 'torv3', host: ONION, port: 8333 }, services: 9n, time: 1_700_000_000 }] })
    await settle(f)
    expect(sunk[0]?.addrs[0]?.addr).toEqual({ network: 'torv3', host: ONION, port: 8333 })
  })
})
