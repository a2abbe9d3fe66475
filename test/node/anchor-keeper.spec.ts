import { afterEach, describe, expect, it, vi } from 'vitest'
import { addrKey, type NetAddress } from '../../src/netaddr/netaddress.ts'
import { AnchorKeeper } from '../../src/node/background.ts'
import type { NodeEvents } from '../../src/node/events.ts'
import type { HandshakeInfo } from '../../src/peer/types.ts'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { EventBus } from '../../src/util/event-bus.ts'
import { ipv4 } from '../helpers/addr-book-fixture.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const DELAY_MS = 5_000

/** What a store left behind holds as anchors (read without consuming them). */
async function savedAnchors (datadir: string): Promise<string[]> {
  const store = await NodeStore.open(datadir, { clock: systemClock }, { consumeAnchors: false })
  try {
    return store.takeContents().anchors.map(addrKey)
  } finally {
    await store.close()
  }
}

function setup (store: NodeStore): { keeper: AnchorKeeper, registry: ConnectionRegistry, events: EventBus<NodeEvents>, connect: (addr: NetAddress, atMs: number) => number } {
  const registry = new ConnectionRegistry()
  const events = new EventBus<NodeEvents>()
  const keeper = new AnchorKeeper({ clock: systemClock, store, registry, events }, { anchorSaveDelayMs: DELAY_MS })
  const connect = (addr: NetAddress, atMs: number): number => {
    const conn = registry.add({ kind: 'outbound-full-relay', addr, group: addr.host.split('.').slice(0, 2).join('.'), nowMs: atMs, session: { close: () => {} } })
    registry.established(conn.id, { id: conn.id, addr } as unknown as HandshakeInfo, atMs)
    events.emit('outbound_connected', { addr: addrKey(addr), id: conn.id, permanent: false })
    return conn.id
  }
  return { keeper, registry, events, connect }
}

describe('AnchorKeeper', () => {
  afterEach(() => { vi.useRealTimers() })

  it('writes the anchors once per burst of outbound changes, so a crash after that keeps them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const datadir = tempDir('anchors')
    const store = await NodeStore.open(datadir, { clock: systemClock })
    const { keeper, events, connect } = setup(store)
    const saved: Array<NodeEvents['anchors_saved']> = []
    events.on('anchors_saved', (p) => { saved.push(p) })
    keeper.start()
    connect(ipv4('127.1.0.1'), 1_000)
    connect(ipv4('127.2.0.1'), 2_000)
    connect(ipv4('127.3.0.1'), 3_000)
    await vi.advanceTimersByTimeAsync(DELAY_MS - 1)
    expect(saved).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    await vi.waitFor(() => { expect(saved).toHaveLength(1) })
    expect(saved[0]).toEqual({ count: 2, addrs: ['127.1.0.1:8333', '127.2.0.1:8333'], reason: 'changed' })
    // No clean stop: the store is closed as a killed process would leave it (LevelDB's log already synced).
    await store.close()
    vi.useRealTimers()
    expect(await savedAnchors(datadir)).toEqual(['127.1.0.1:8333', '127.2.0.1:8333'])
  })

  it('does not rewrite an unchanged choice, rewrites a changed one, and stops listening at stop', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const datadir = tempDir('anchors')
    const store = await NodeStore.open(datadir, { clock: systemClock })
    const { keeper, registry, events, connect } = setup(store)
    const saved: Array<NodeEvents['anchors_saved']> = []
    events.on('anchors_saved', (p) => { saved.push(p) })
    keeper.start()
    const first = connect(ipv4('127.1.0.1'), 1_000)
    connect(ipv4('127.2.0.1'), 2_000)
    await vi.advanceTimersByTimeAsync(DELAY_MS)
    await vi.waitFor(() => { expect(saved).toHaveLength(1) })
    // A third, younger peer does not change the two longest-connected: nothing is written.
    connect(ipv4('127.3.0.1'), 3_000)
    await vi.advanceTimersByTimeAsync(DELAY_MS)
    expect(saved).toHaveLength(1)
    // The oldest goes: the choice changes and is written.
    registry.remove(first)
    events.emit('outbound_disconnected', { addr: '127.1.0.1:8333', id: first, permanent: false, reason: 'reconnect' })
    await vi.advanceTimersByTimeAsync(DELAY_MS)
    await vi.waitFor(() => { expect(saved).toHaveLength(2) })
    expect(saved[1]?.addrs).toEqual(['127.2.0.1:8333', '127.3.0.1:8333'])
    await keeper.stop()
    expect(saved.at(-1)?.reason).toBe('stop')
    // After stop, changes schedule nothing (the store is about to close).
    connect(ipv4('127.4.0.1'), 4_000)
    await vi.advanceTimersByTimeAsync(DELAY_MS * 2)
    expect(saved).toHaveLength(3)
    await store.close()
  })
})
