import { afterEach, describe, expect, it, vi } from 'vitest'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import { BanList } from '../../src/banlist/ban-list.ts'
import { allowAllGater } from '../../src/gater/gater.ts'
import { NO_PERMISSIONS } from '../../src/admission/permissions.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NodeEvents } from '../../src/node/events.ts'
import { Feelers, FEELER_INTERVAL_MS, nextFeelerDelayMs } from '../../src/node/feelers.ts'
import { Sessions } from '../../src/node/sessions.ts'
import type { Peer } from '../../src/peer/peer.ts'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { TcpDialer } from '../../src/transport/tcp-dialer.ts'
import { systemClock, unixSeconds } from '../../src/util/clock.ts'
import { EventBus } from '../../src/util/event-bus.ts'
import { seededRandom } from '../../src/util/random.ts'
import { REGTEST } from '../helpers/peer-fixture.ts'
import { untilIo, useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

const SEED = 11
const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
  vi.useRealTimers()
})

interface Rig { feelers: Feelers, book: AddrBook, registry: ConnectionRegistry<Peer>, sim: SimNetwork, seen: Array<{ event: string, fields: Record<string, unknown> }>, met: { value: boolean } }

/** Feelers over real TCP to a simulated network on fake timers; every address is in the book's new table. */
async function rig (): Promise<Rig> {
  const sim = await startSimNetwork({ peers: { live: 3 }, port: 0 })
  cleanup.push(async () => { await sim.close() })
  useFakeTimersWithRealIo(1_700_000_000_000)
  const random = seededRandom(SEED)
  const params = { ...REGTEST, defaultPort: sim.port, requiredServices: [] }
  const book = new AddrBook({ clock: systemClock, random: seededRandom(2), logger: nullLogger }, { allowLocal: true })
  book.add(sim.addresses().map((addr) => ({ addr, services: 1n, time: unixSeconds(systemClock) - 3600 })), undefined)
  const events = new EventBus<NodeEvents>()
  const seen: Rig['seen'] = []
  events.onAny((event, fields) => { seen.push({ event, fields: { ...fields } }) })
  const registry = new ConnectionRegistry<Peer>()
  const banList = new BanList({ clock: systemClock })
  const sessions = new Sessions({ clock: systemClock, random, peerLogger: nullLogger, events, registry, gater: allowAllGater, permissions: () => NO_PERMISSIONS, book, banList },
    { params, banning: { enabled: true, threshold: 100, durationMs: 3_600_000 } })
  const met = { value: true }
  // While a feeler's session is up, it must be a feeler and nothing else.
  events.on('peer_handshake', () => {
    seen.push({ event: 'counts', fields: { feeler: registry.count('feeler').total, outbound: registry.countDirection('outbound').total - registry.count('feeler').total } })
  })
  const feelers = new Feelers({ clock: systemClock, random, events, dialer: new TcpDialer({ clock: systemClock }), gater: allowAllGater, sessions, registry, book, banList }, {
    defaultPort: sim.port, targetOutbound: 8, targetMet: () => met.value, inUseKeys: () => new Set()
  })
  cleanup.push(() => { feelers.stop() })
  return { feelers, book, registry, sim, seen, met }
}

const named = (r: Rig, event: string): Array<Record<string, unknown>> => r.seen.filter((s) => s.event === event).map((s) => s.fields)

describe('feelers', () => {
  it('wait an exponential time with a 2-minute mean (a Poisson process on the injected random)', () => {
    const random = seededRandom(3)
    const delays = Array.from({ length: 20_000 }, () => nextFeelerDelayMs(FEELER_INTERVAL_MS, random))
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length
    expect(mean).toBeGreaterThan(FEELER_INTERVAL_MS * 0.97)
    expect(mean).toBeLessThan(FEELER_INTERVAL_MS * 1.03)
    // Memoryless: about e^-1 of the waits exceed the mean.
    expect(delays.filter((d) => d > FEELER_INTERVAL_MS).length / delays.length).toBeCloseTo(Math.exp(-1), 1)
  })

  it('fire on the injected clock, test a new address, mark it good and close; never counted as outbound', async () => {
    const r = await rig()
    const firstDelay = nextFeelerDelayMs(FEELER_INTERVAL_MS, seededRandom(SEED))
    r.feelers.start()
    await vi.advanceTimersByTimeAsync(Math.floor(firstDelay) - 1)
    expect(named(r, 'feeler_started')).toEqual([])
    await vi.advanceTimersByTimeAsync(2)
    expect(named(r, 'feeler_started')).toHaveLength(1)
    await untilIo(() => named(r, 'feeler_finished').length === 1, 'feeler finished')
    const [finished] = named(r, 'feeler_finished')
    expect(finished).toMatchObject({ ok: true, target: 'new' })
    const addr = r.sim.addresses().find((a) => `${a.host}:${a.port}` === finished?.addr)
    expect(addr === undefined ? undefined : r.book.get(addr)?.tried).toBe(true)
    expect(named(r, 'counts')).toEqual([{ feeler: 1, outbound: 0 }])
    await untilIo(() => r.registry.size === 0, 'feeler closed')
    expect(r.registry.count('outbound-full-relay').total).toBe(0)
  })

  it('stay quiet while the outbound target is not met', async () => {
    const r = await rig()
    r.met.value = false
    r.feelers.start()
    await vi.advanceTimersByTimeAsync(20 * FEELER_INTERVAL_MS)
    expect(named(r, 'feeler_started')).toEqual([])
    r.met.value = true
    await vi.advanceTimersByTimeAsync(20 * FEELER_INTERVAL_MS)
    expect(named(r, 'feeler_started').length).toBeGreaterThan(0)
  })

  it('test the occupant of a tried collision first, and it keeps its slot when it answers', async () => {
    const r = await rig()
    const [occupant] = r.sim.addresses()
    if (occupant === undefined) throw new Error('no sim peer')
    // A stand-in for a pending collision: the book names this occupant for the next test.
    vi.spyOn(r.book, 'selectTriedCollision').mockReturnValueOnce(r.book.get(occupant))
    r.feelers.start()
    await vi.advanceTimersByTimeAsync(20 * FEELER_INTERVAL_MS)
    await untilIo(() => named(r, 'feeler_finished').length >= 1, 'feeler finished')
    expect(named(r, 'feeler_started')[0]).toMatchObject({ addr: `${occupant.host}:${occupant.port}`, target: 'collision' })
    expect(r.book.get(occupant)?.lastSuccess).toBeGreaterThan(0)
  })
})
