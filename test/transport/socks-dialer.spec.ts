import { once } from 'node:events'
import type { Server, Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { ProxyError } from '../../src/transport/errors.ts'
import { SocksDialer } from '../../src/transport/socks-dialer.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { listenLoopback, refusedPort } from '../helpers/loopback-listener.ts'
import { startSocks5Server, type Socks5Server } from '../helpers/socks5-server.ts'
import { untilIo, useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

const ONION = 'v7ajjeirttkbnt32wpy3c6w3emwnfr3fkla7hpxcfokr3ysd3kqtzmqd.onion'
const live = (): AbortSignal => new AbortController().signal

async function roundTrip (socket: Socket): Promise<string> {
  socket.write('hello peer')
  const [echo] = await once(socket, 'data') as [Buffer]
  socket.destroy()
  return echo.toString()
}

describe('SocksDialer through a SOCKS5 server on loopback', () => {
  let echo: { server: Server, port: number }
  let peer: NetAddress
  const proxies: Socks5Server[] = []
  const proxy = async (init: Parameters<typeof startSocks5Server>[0] = {}): Promise<Socks5Server> => {
    const p = await startSocks5Server(init)
    proxies.push(p)
    return p
  }
  const dialer = (port: number, init: Partial<ConstructorParameters<typeof SocksDialer>[1]> = {}): SocksDialer =>
    new SocksDialer({ clock: systemClock, random: seededRandom(7) }, { proxy: { host: '127.0.0.1', port }, ...init })

  beforeAll(async () => {
    echo = await listenLoopback()
    echo.server.on('connection', (s: Socket) => { s.pipe(s) })
    peer = { network: 'ipv4', host: '127.0.0.1', port: echo.port }
  })
  afterAll(async () => {
    for (const p of proxies) await p.close()
    echo.server.close()
  })
  afterEach(() => { vi.useRealTimers() })

  it('CONNECTs to a loopback peer; the returned socket is the tunnel', async () => {
    const p = await proxy()
    expect(await roundTrip(await dialer(p.port).dial(peer, { signal: live() }))).toBe('hello peer')
    expect(p.requests).toEqual([{ command: 'connect', host: '127.0.0.1', port: echo.port }])
  })

  it('authenticates with username and password when the proxy requires them', async () => {
    const p = await proxy({ users: { username: 'alice', password: 's3cret' } })
    const socket = await dialer(p.port, { credentials: { username: 'alice', password: 's3cret' } }).dial(peer, { signal: live() })
    expect(await roundTrip(socket)).toBe('hello peer')
    expect(p.requests[0]).toMatchObject({ username: 'alice', password: 's3cret' })
  })

  it('ends with a ProxyError when the proxy rejects the credentials', async () => {
    const p = await proxy({ users: { username: 'alice', password: 's3cret' } })
    const dial = dialer(p.port, { credentials: { username: 'alice', password: 'wrong' } }).dial(peer, { signal: live() })
    await expect(dial).rejects.toThrow(ProxyError)
    await expect(dial).rejects.toThrow(/authentication failed/i)
  })

  it('sends a .onion destination by name for the proxy to resolve', async () => {
    const p = await proxy({ names: { [ONION]: { host: '127.0.0.1', port: echo.port } } })
    const socket = await dialer(p.port).dial({ network: 'torv3', host: ONION, port: 8333 }, { signal: live() })
    expect(await roundTrip(socket)).toBe('hello peer')
    expect(p.requests).toEqual([{ command: 'connect', host: ONION, port: 8333 }])
  })

  it('gives every connection fresh random credentials with torIsolation', async () => {
    const p = await proxy()
    const d = dialer(p.port, { torIsolation: true })
    for (let i = 0; i < 3; i++) (await d.dial(peer, { signal: live() })).destroy()
    const users = p.requests.map((r) => `${r.username ?? ''}:${r.password ?? ''}`)
    expect(new Set(users).size).toBe(3)
    for (const u of users) expect(u).toMatch(/^[0-9a-f]{16}:[0-9a-f]{16}$/)
  })

  it('ends with the proxy\'s reason when it refuses the connection', async () => {
    const p = await proxy({ connect: 'refuse' })
    const err = await dialer(p.port).dial(peer, { signal: live() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProxyError)
    expect((err as Error).message).toMatch(new RegExp(`^proxy 127\\.0\\.0\\.1:${p.port}: could not connect to 127\\.0\\.0\\.1:${echo.port}: .*ConnectionRefused`))
  })

  it('ends with a ProxyError naming the proxy when it cannot be reached', async () => {
    const port = await refusedPort()
    await expect(dialer(port).dial(peer, { signal: live() })).rejects.toThrow(new RegExp(`^proxy 127\\.0\\.0\\.1:${port}: unreachable .*ECONNREFUSED`))
  })

  it('gives up on a proxy that stalls once the connect timeout passes on the injected clock', async () => {
    const p = await proxy({ connect: 'stall' })
    useFakeTimersWithRealIo()
    const dial = dialer(p.port, { connectTimeoutMs: 8_000 }).dial(peer, { signal: live() })
    const outcome = dial.then(() => 'connected', (err: unknown) => err)
    // Let the real handshake reach the stalled CONNECT before time moves.
    await untilIo(() => p.requests.length === 1, 'the CONNECT request')
    await vi.advanceTimersByTimeAsync(7_999)
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)
    const err = await outcome
    expect(err).toBeInstanceOf(ProxyError)
    expect((err as Error).message).toContain('within 8000 ms (the proxy stalled)')
  })

  it('stops waiting for a stalled proxy when the signal aborts', async () => {
    const p = await proxy({ connect: 'stall' })
    const controller = new AbortController()
    const dial = dialer(p.port).dial(peer, { signal: controller.signal })
    await untilIo(() => p.requests.length === 1, 'the CONNECT request')
    controller.abort(new Error('connection request cancelled'))
    await expect(dial).rejects.toThrow('connection request cancelled')
  })
})
