import { once } from 'node:events'
import { connect } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadNetwork } from '../../src/chainparams/chainparams.ts'
import { systemClock, type Clock, type TimerHandle } from '../../src/util/clock.ts'
import { startSimNetwork, type SimNetwork, type SimNetworkInit } from '../../src/sim/sim-network.ts'
import { SIM_USER_AGENT } from '../../src/sim/sim-connection.ts'
import { ProtocolError } from '../../src/wire/errors.ts'
import type { AddrMessage, PingMessage, PongMessage, VersionMessage } from '../../src/wire/messages.ts'
import { NODE_NETWORK } from '../../src/wire/services.ts'
import { connectWireClient, isCommand, type WireClient } from '../helpers/wire-client.ts'

const params = loadNetwork('regtest')
const { magic } = params
// Timers the simulator uses are faked; setImmediate stays real so socket IO can be awaited.
const FAKE_TIMERS: Parameters<typeof vi.useFakeTimers>[0] = { now: 0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }

const networks: SimNetwork[] = []
const clients: WireClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  for (const n of networks.splice(0)) await n.close()
  vi.useRealTimers()
})

async function start (init: Omit<SimNetworkInit, 'port'>): Promise<SimNetwork> {
  const network = await startSimNetwork({ port: 0, ...init })
  networks.push(network)
  return network
}

async function dial (network: SimNetwork, index: number): Promise<WireClient> {
  const client = await connectWireClient(network.peer(index).addr, magic)
  clients.push(client)
  return client
}

function ourVersion (): VersionMessage {
  return {
    command: 'version',
    version: 70016,
    services: NODE_NETWORK,
    timestamp: 0n,
    addrRecv: { services: 0n, host: '127.1.0.1', port: 18444 },
    addrFrom: { services: NODE_NETWORK, host: '127.0.0.1', port: 18444 },
    nonce: 42n,
    userAgent: '/test-client/',
    startHeight: 0,
    relay: false
  }
}

/** The outbound side of a handshake: our version, their version…verack, our verack; resolves once the sim counts it. */
async function handshake (network: SimNetwork, client: WireClient, options: { addrV2?: boolean } = {}): Promise<VersionMessage> {
  client.send(ourVersion())
  const theirs = await client.next<VersionMessage>(isCommand('version'))
  await client.next(isCommand('verack'))
  if (options.addrV2 === true) client.send({ command: 'sendaddrv2' })
  const counted = once(network, 'handshake')
  client.send({ command: 'verack' })
  await counted
  return theirs
}

/** Lets pending socket IO run (setImmediate is not faked), without waiting on any timer. */
async function until (condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if (condition()) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`gave up waiting for ${what}`)
}

async function settle (): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve))
}

async function dialErrorCode (addr: { host: string, port: number }): Promise<string | undefined> {
  const socket = connect({ host: addr.host, port: addr.port })
  try {
    await once(socket, 'connect')
    return undefined
  } catch (err) {
    return (err as NodeJS.ErrnoException).code
  } finally {
    socket.destroy()
  }
}

describe('sim network: live profile', () => {
  it('answers an outbound handshake with version, wtxidrelay, sendaddrv2, verack, then pongs pings', async () => {
    const network = await start({ peers: { live: 2 } })
    const client = await dial(network, 0)
    client.send(ourVersion())
    const version = await client.next<VersionMessage>(isCommand('version'))
    expect(version.version).toBe(70016)
    expect(version.services & NODE_NETWORK).toBe(NODE_NETWORK)
    expect(version.userAgent).toBe(SIM_USER_AGENT)
    expect(version.addrFrom.host).toBe(network.peer(0).addr.host)
    const rest = [await client.next(), await client.next(), await client.next()]
    expect(rest.map((m) => (m as { command: string }).command)).toEqual(['wtxidrelay', 'sendaddrv2', 'verack'])
    expect(network.stats(0).handshakes).toBe(0)

    const counted = once(network, 'handshake')
    client.send({ command: 'verack' })
    const [info] = await counted
    expect(info.index).toBe(0)
    expect(network.stats(0).handshakes).toBe(1)

    client.send({ command: 'ping', nonce: 0xdeadbeefn })
    const pong = await client.next<PongMessage>(isCommand('pong'))
    expect(pong.nonce).toBe(0xdeadbeefn)
    expect(network.stats(0)).toMatchObject({ connectionsAccepted: 1, openConnections: 1, messagesSent: 5, messagesReceived: 3 })
    expect(network.stats(0).received).toEqual({ version: 1, verack: 1, ping: 1 })
  })

  it('answers the first getaddr with addrv2 gossip of the other sim peers, and ignores a second one', async () => {
    const network = await start({ peers: { live: 5, refusing: 2 } })
    const client = await dial(network, 0)
    await handshake(network, client, { addrV2: true })
    client.send({ command: 'getaddr' })
    const addr = await client.next<AddrMessage>(isCommand('addrv2'))
    const hosts = addr.addrs.map((a) => a.addr.host).sort()
    const others = network.addresses().slice(1).map((a) => a.host).sort()
    expect(hosts).toEqual(others)
    for (const a of addr.addrs) {
      expect(a.addr.port).toBe(network.port)
      expect(a.services & NODE_NETWORK).toBe(NODE_NETWORK)
    }

    client.send({ command: 'getaddr' })
    client.send({ command: 'ping', nonce: 7n })
    await client.next(isCommand('pong'))
    expect(client.received.filter((m) => isCommand('addrv2')(m) || isCommand('addr')(m))).toHaveLength(1)
  })

  it('gossips with v1 addr to a client that did not send sendaddrv2, at most gossipMax entries', async () => {
    const network = await start({ peers: { live: 10 }, gossipMax: 4 })
    const client = await dial(network, 3)
    await handshake(network, client)
    client.send({ command: 'getaddr' })
    const addr = await client.next<AddrMessage>(isCommand('addr'))
    expect(addr.addrs).toHaveLength(4)
    expect(addr.addrs.map((a) => a.addr.host)).not.toContain(network.peer(3).addr.host)
    expect(new Set(addr.addrs.map((a) => a.addr.host)).size).toBe(4)
  })

  it('is deterministic for a seed: same version nonce and same gossip', async () => {
    vi.useFakeTimers(FAKE_TIMERS)
    const answers = async (seed: number): Promise<[bigint, string[]]> => {
      const network = await start({ peers: { live: 20 }, seed, gossipMax: 5 })
      const client = await dial(network, 0)
      const version = await handshake(network, client)
      client.send({ command: 'getaddr' })
      const addr = await client.next<AddrMessage>(isCommand('addr'))
      return [version.nonce, addr.addrs.map((a) => `${a.addr.host}@${a.time}`)]
    }
    const first = await answers(7)
    expect(await answers(7)).toEqual(first)
    const other = await answers(8)
    expect(other[0]).not.toBe(first[0])
    expect(other[1]).not.toEqual(first[1])
  })
})

describe('sim network: other profiles', () => {
  it('refusing: nothing listens, so a dial is refused', async () => {
    const network = await start({ peers: [{ profile: 'refusing' }, { profile: 'live' }] })
    expect(network.peer(0).profile).toBe('refusing')
    expect(network.isListening(0)).toBe(false)
    expect(await dialErrorCode(network.peer(0).addr)).toBe('ECONNREFUSED')
    expect(await dialErrorCode(network.peer(1).addr)).toBeUndefined()
    expect(network.stats(0).connectionsAccepted).toBe(0)
  })

  it('silent: accepts the connection and never says a word, however long one waits', async () => {
    vi.useFakeTimers(FAKE_TIMERS)
    const network = await start({ peers: [{ profile: 'silent' }, { profile: 'live' }] })
    const silent = await dial(network, 0)
    silent.send(ourVersion())
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    // A full handshake with the live peer afterwards: the silent one had every chance to answer first.
    await handshake(network, await dial(network, 1))
    await settle()
    expect(silent.bytesReceived).toBe(0)
    expect(silent.isClosed).toBe(false)
    expect(network.stats(0)).toMatchObject({ connectionsAccepted: 1, openConnections: 1, handshakes: 0, messagesSent: 0 })
  })

  it('slow: answers the version only after its delay, on the injected clock', async () => {
    vi.useFakeTimers(FAKE_TIMERS)
    const network = await start({ peers: [{ profile: 'slow', handshakeDelayMs: 2_000 }] })
    const client = await dial(network, 0)
    client.send(ourVersion())
    await until(() => network.stats(0).messagesReceived === 1, 'the version to arrive')
    await vi.advanceTimersByTimeAsync(1_999)
    expect(network.stats(0).messagesSent).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(network.stats(0).messagesSent).toBe(4)
    await client.next(isCommand('version'))
    await client.next(isCommand('verack'))
    const counted = once(network, 'handshake')
    client.send({ command: 'verack' })
    await counted
    expect(client.bytesReceived).toBeGreaterThan(0)
  })

  it('misbehaving (oversized, the default): after the handshake declares a payload over 4,000,000 bytes', async () => {
    const network = await start({ peers: { misbehaving: 1 } })
    const client = await dial(network, 0)
    await handshake(network, client)
    const error = await client.next<ProtocolError>((m) => m instanceof ProtocolError)
    expect(error.kind).toBe('oversized')
    expect(error.fatal).toBe(true)
  })

  it('misbehaving (garbage): sends 50 messages whose checksums do not match', async () => {
    const network = await start({ peers: [{ profile: 'misbehaving', misbehaviour: 'garbage' }] })
    const client = await dial(network, 0)
    await handshake(network, client)
    await until(() => client.received.filter((m) => m instanceof ProtocolError).length === 50, '50 bad frames')
    for (const m of client.received.filter((x) => x instanceof ProtocolError)) expect((m as ProtocolError).kind).toBe('bad-checksum')
  })

  it('misbehaving (ping-flood): 200 pings every 100 ms, bounded at 10,000', async () => {
    vi.useFakeTimers(FAKE_TIMERS)
    const network = await start({ peers: [{ profile: 'misbehaving', misbehaviour: 'ping-flood' }] })
    const client = await dial(network, 0)
    await handshake(network, client)
    const pings = (): number => client.received.filter(isCommand('ping')).length
    await until(() => pings() === 200, 'the first burst')
    await vi.advanceTimersByTimeAsync(100)
    await until(() => pings() === 400, 'the second burst')
    await vi.advanceTimersByTimeAsync(60_000)
    await until(() => pings() === 10_000, 'the whole flood')
    await vi.advanceTimersByTimeAsync(60_000)
    await settle()
    expect(pings()).toBe(10_000)
    expect((client.received.find(isCommand('ping')) as PingMessage).command).toBe('ping')
  })

  it('flapping: completes the handshake, then drops the connection within its lifetime range', async () => {
    vi.useFakeTimers(FAKE_TIMERS)
    const network = await start({ peers: [{ profile: 'flapping', lifetimeMs: [1_000, 2_000] }] })
    const client = await dial(network, 0)
    await handshake(network, client)
    await vi.advanceTimersByTimeAsync(999)
    await settle()
    expect(client.isClosed).toBe(false)
    expect(network.stats(0).openConnections).toBe(1)
    await vi.advanceTimersByTimeAsync(1_001)
    await client.closed
    await until(() => network.stats(0).openConnections === 0, 'the server side to close')
    expect(network.isListening(0)).toBe(true)
  })
})

describe('sim network: addresses and controls', () => {
  it('puts hundreds of peers on their own loopback IPs, the first 254 on distinct /16s, all on one port', async () => {
    const network = await start({ peers: { live: 300 } })
    const hosts = network.addresses().map((a) => a.host)
    expect(new Set(hosts).size).toBe(300)
    const groups = hosts.slice(0, 254).map((h) => h.split('.').slice(0, 2).join('.'))
    expect(new Set(groups).size).toBe(254)
    for (const a of network.addresses()) {
      expect(a.host.startsWith('127.')).toBe(true)
      expect(a.host.startsWith('127.0.')).toBe(false)
      expect(a.port).toBe(network.port)
    }
    for (const i of [0, 253, 254, 299]) await handshake(network, await dial(network, i))
    expect(network.totals().handshakes).toBe(4)
  })

  it('listens on the chainparams default port when no port is given', async () => {
    const custom = { ...params, defaultPort: 20_000 + (process.pid % 20_000) }
    const network = await startSimNetwork({ peers: { live: 2 }, params: custom })
    networks.push(network)
    expect(network.port).toBe(custom.defaultPort)
    expect(network.peer(1).addr.port).toBe(custom.defaultPort)
    await handshake(network, await dial(network, 1))
  })

  it('stopPeer resets open connections and refuses dials; restartPeer brings it back on the same address', async () => {
    const network = await start({ peers: { live: 2 } })
    const addr = network.peer(0).addr
    const client = await dial(network, 0)
    await handshake(network, client)
    await network.stopPeer(0)
    await client.closed
    expect(network.isListening(0)).toBe(false)
    expect(await dialErrorCode(addr)).toBe('ECONNREFUSED')
    expect(network.isListening(1)).toBe(true)

    await network.restartPeer(addr)
    expect(network.peer(0).addr).toEqual(addr)
    await handshake(network, await dial(network, 0))
    expect(network.stats(0)).toMatchObject({ connectionsAccepted: 2, handshakes: 2, openConnections: 1 })
  })

  it('close() resets every connection and leaves no listener, socket or timer behind', async () => {
    const sockets = (): number => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length
    // Counts the simulator's own timers (the process's Timeout list also holds the test runner's).
    const pending = new Set<TimerHandle>()
    const clock: Clock = {
      ...systemClock,
      setTimeout: (fn, ms) => {
        const handle = setTimeout(() => { pending.delete(handle); fn() }, ms)
        pending.add(handle)
        return handle
      },
      clearTimeout: (handle) => { pending.delete(handle); clearTimeout(handle) }
    }
    await settle()
    const before = sockets()
    const network = await startSimNetwork({
      port: 0,
      peers: [
        { profile: 'live' }, { profile: 'silent' }, { profile: 'slow', handshakeDelayMs: 60_000 },
        { profile: 'flapping', lifetimeMs: [60_000, 60_000] }, { profile: 'misbehaving', misbehaviour: 'ping-flood' }, { profile: 'refusing' }
      ]
    }, { clock })
    const live = await connectWireClient(network.peer(0).addr, magic)
    await handshake(network, live)
    const silent = await connectWireClient(network.peer(1).addr, magic)
    const slow = await connectWireClient(network.peer(2).addr, magic)
    slow.send(ourVersion())
    await until(() => network.stats(2).messagesReceived === 1, 'the slow peer to get the version')
    const flapping = await connectWireClient(network.peer(3).addr, magic)
    await handshake(network, flapping)
    const flooder = await connectWireClient(network.peer(4).addr, magic)
    await handshake(network, flooder)
    expect(network.totals().openConnections).toBe(5)
    expect(pending.size).toBeGreaterThanOrEqual(4) // silent's none; slow's answer, handshake timeouts, lifetime, flood
    expect(sockets()).toBeGreaterThan(before)

    await network.close()
    await Promise.all([live, silent, slow, flapping, flooder].map(async (c) => { await c.closed }))
    expect(network.totals().openConnections).toBe(0)
    for (const p of network.peers) expect(await dialErrorCode(p.addr)).toBe('ECONNREFUSED')
    await settle()
    expect(sockets()).toBe(before)
    expect(pending.size).toBe(0)
    await expect(network.restartPeer(0)).rejects.toThrow(/already closed/)
  })
})
