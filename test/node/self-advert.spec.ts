import { afterEach, describe, expect, it, vi } from 'vitest'
import { NO_PERMISSIONS } from '../../src/admission/permissions.ts'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import { BanList } from '../../src/banlist/ban-list.ts'
import { allowAllGater } from '../../src/gater/gater.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import type { NodeEvents } from '../../src/node/events.ts'
import { LocalAddresses } from '../../src/node/local-addresses.ts'
import { FIRST_SELF_ADVERT_MEAN_MS, localAddressFor, SELF_ADVERT_INTERVAL_MS, selfAdvertDelayMs, SelfAdvertiser } from '../../src/node/self-advert.ts'
import { Sessions } from '../../src/node/sessions.ts'
import type { Peer } from '../../src/peer/peer.ts'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import type { ConnectionKind } from '../../src/registry/types.ts'
import { systemClock } from '../../src/util/clock.ts'
import { EventBus } from '../../src/util/event-bus.ts'
import { seededRandom } from '../../src/util/random.ts'
import { ProtocolError } from '../../src/wire/errors.ts'
import { acceptOne, REGTEST, remoteVersion } from '../helpers/peer-fixture.ts'
import { untilIo, useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'
import { isCommand } from '../helpers/wire-client.ts'

const ip4 = (host: string, port = 8333): NetAddress => ({ network: 'ipv4', host, port })
const onion: NetAddress = { network: 'torv3', host: 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion', port: 8333 }
const view = { services: 0n, host: '93.184.216.34', port: 50123 }

describe('the address we announce (localAddressFor)', () => {
  const base = { externalIps: [], peerView: view, peer: ip4('1.2.3.4'), listenPort: 8333, proxy: false, allowLocal: false }

  it('is the address the peer sees us at, with our listening port (the peer\'s port is its own business)', () => {
    expect(localAddressFor(base)).toEqual(ip4('93.184.216.34', 8333))
  })
  it('is an --externalip when given, one on the peer\'s network first; the peer\'s view is then never used', () => {
    expect(localAddressFor({ ...base, externalIps: [onion, ip4('5.6.7.8', 9000)] })).toEqual(ip4('5.6.7.8', 9000))
    expect(localAddressFor({ ...base, externalIps: [onion] })).toEqual(onion)
  })
  it('behind --proxy is only a configured onion address, never an IP', () => {
    expect(localAddressFor({ ...base, proxy: true })).toBeUndefined()
    expect(localAddressFor({ ...base, proxy: true, externalIps: [ip4('5.6.7.8')] })).toBeUndefined()
    expect(localAddressFor({ ...base, proxy: true, externalIps: [ip4('5.6.7.8'), onion] })).toEqual(onion)
  })
  it('is nothing when the peer sees us at an unroutable address (unless the network allows local ones)', () => {
    expect(localAddressFor({ ...base, peerView: { ...view, host: '10.0.0.7' } })).toBeUndefined()
    expect(localAddressFor({ ...base, peerView: { ...view, host: '127.0.0.1' }, allowLocal: true })).toEqual(ip4('127.0.0.1', 8333))
  })
  it('waits an exponential time: 30 s mean for the first, 24 h mean after', () => {
    const random = seededRandom(4)
    const mean = (first: boolean): number => Array.from({ length: 20_000 }, () => selfAdvertDelayMs(first, random)).reduce((a, b) => a + b, 0) / 20_000
    expect(mean(true) / FIRST_SELF_ADVERT_MEAN_MS).toBeCloseTo(1, 1)
    expect(mean(false) / SELF_ADVERT_INTERVAL_MS).toBeCloseTo(1, 1)
  })
})

const LISTEN_PORT = 18555
const ADVERT_SEED = 21
const cleanup: Array<() => void> = []
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn()
  vi.useRealTimers()
})

/** A session of `kind` opened by Sessions, with a SelfAdvertiser listening on LISTEN_PORT; the remote sees us at 127.0.0.1. */
async function advertisedSession (kind: ConnectionKind): Promise<{ addrs: () => string[], local: LocalAddresses }> {
  useFakeTimersWithRealIo(1_700_000_000_000)
  const { socket, remote } = await acceptOne()
  const events = new EventBus<NodeEvents>()
  const registry = new ConnectionRegistry<Peer>()
  const book = new AddrBook({ clock: systemClock, random: seededRandom(1), logger: nullLogger }, { allowLocal: true })
  const longMs = 7 * 24 * 3600_000 // no pings or idle timeouts in the way: the remote is scripted
  const sessions = new Sessions({ clock: systemClock, random: seededRandom(2), peerLogger: nullLogger, events, registry, gater: allowAllGater, permissions: () => NO_PERMISSIONS, book, banList: new BanList({ clock: systemClock }) },
    { params: REGTEST, banning: { enabled: true, threshold: 100, durationMs: 3_600_000 }, timeouts: { pingIntervalMs: longMs, pingTimeoutMs: longMs, idleTimeoutMs: longMs } })
  const local = new LocalAddresses([])
  const advertiser = new SelfAdvertiser({ clock: systemClock, random: seededRandom(ADVERT_SEED), events, registry, local }, { externalIps: [], listenPort: LISTEN_PORT, proxy: false, allowLocal: true })
  advertiser.start()
  const { session: peer } = sessions.open(socket, { network: 'ipv4', host: '127.0.0.1', port: remote.socket.localPort ?? 1 }, kind)
  cleanup.push(() => { advertiser.stop(); peer.close('test over'); remote.close() })
  const done = peer.handshake()
  await remote.next(isCommand('version'))
  remote.send(remoteVersion({ addrRecv: { services: 0n, host: '127.0.0.1', port: 40000 } }))
  remote.send({ command: 'verack' })
  await done
  const addrs = (): string[] => remote.received.flatMap((m) => m instanceof ProtocolError || !('addrs' in m) ? [] : m.addrs.map((a) => `${a.addr.host}:${a.addr.port}`))
  return { addrs, local }
}

describe('self-advertisement on the wire', () => {
  it('tells an outbound full-relay peer our address shortly after the handshake, then about daily', async () => {
    const expected = seededRandom(ADVERT_SEED)
    const first = selfAdvertDelayMs(true, expected)
    const second = selfAdvertDelayMs(false, expected)
    const { addrs, local } = await advertisedSession('outbound-full-relay')
    const ours = { network: 'ipv4' as const, host: '127.0.0.1', port: LISTEN_PORT }
    await vi.advanceTimersByTimeAsync(first - 1)
    expect(addrs()).toEqual([])
    expect(local.has(ours)).toBe(false)
    await vi.advanceTimersByTimeAsync(2)
    await untilIo(() => addrs().length === 1, 'first announcement')
    expect(addrs()).toEqual([`127.0.0.1:${LISTEN_PORT}`])
    // What we announce is ours: the outbound picks skip it from then on.
    expect(local.has(ours)).toBe(true)
    await vi.advanceTimersByTimeAsync(second - 10)
    expect(addrs()).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(20)
    await untilIo(() => addrs().length === 2, 'second announcement')
  })

  it('never tells a block-relay-only peer', async () => {
    const { addrs } = await advertisedSession('block-relay-only')
    await vi.advanceTimersByTimeAsync(3 * SELF_ADVERT_INTERVAL_MS)
    expect(addrs()).toEqual([])
  })
})
