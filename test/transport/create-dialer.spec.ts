import { once } from 'node:events'
import type { Server, Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { createDialer, transportOptionsProblem, type TransportOptions } from '../../src/transport/create-dialer.ts'
import { DialerConfigError, OnionDisabledError, UnreachableNetworkError } from '../../src/transport/errors.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { listenLoopback } from '../helpers/loopback-listener.ts'
import { startSocks5Server, type Socks5Server } from '../helpers/socks5-server.ts'

const ONION = 'v7ajjeirttkbnt32wpy3c6w3emwnfr3fkla7hpxcfokr3ysd3kqtzmqd.onion'
const components = { clock: systemClock, random: seededRandom(1), logger: nullLogger }
const live = (): AbortSignal => new AbortController().signal

describe('createDialer routes each destination', () => {
  let echo: { server: Server, port: number }
  let peer: NetAddress
  let onionPeer: NetAddress
  let mainProxy: Socks5Server
  let onionProxy: Socks5Server
  const at = (p: Socks5Server) => ({ host: '127.0.0.1', port: p.port })
  const dialed = async (options: Omit<TransportOptions, 'connectTimeoutMs'>, addr: NetAddress): Promise<string> => {
    const socket = await createDialer(components, { connectTimeoutMs: 5_000, ...options }).dial(addr, { signal: live() })
    socket.write('x')
    const [data] = await once(socket, 'data') as [Buffer]
    socket.destroy()
    return data.toString()
  }

  beforeAll(async () => {
    echo = await listenLoopback()
    echo.server.on('connection', (s: Socket) => { s.pipe(s) })
    peer = { network: 'ipv4', host: '127.0.0.1', port: echo.port }
    onionPeer = { network: 'torv3', host: ONION, port: 8333 }
    const names = { [ONION]: { host: '127.0.0.1', port: echo.port } }
    mainProxy = await startSocks5Server({ names })
    onionProxy = await startSocks5Server({ names })
  })
  afterAll(async () => {
    await mainProxy.close()
    await onionProxy.close()
    echo.server.close()
  })

  const requestsSince = (p: Socks5Server, before: number) => p.requests.slice(before).map((r) => r.host)

  it('without a proxy: plain TCP for IPs, and a .onion is refused rather than looked up', async () => {
    expect(await dialed({}, peer)).toBe('x')
    await expect(dialed({}, onionPeer)).rejects.toThrow(UnreachableNetworkError)
    await expect(dialed({}, onionPeer)).rejects.toThrow(/needs a Tor SOCKS proxy \(the onion or proxy option\)/)
  })

  it('--proxy carries every connection, .onion included (by name)', async () => {
    const before = mainProxy.requests.length
    expect(await dialed({ proxy: at(mainProxy) }, peer)).toBe('x')
    expect(await dialed({ proxy: at(mainProxy) }, onionPeer)).toBe('x')
    expect(requestsSince(mainProxy, before)).toEqual(['127.0.0.1', ONION])
  })

  it('--onion alone: .onion through it, everything else direct', async () => {
    const main = mainProxy.requests.length
    const onion = onionProxy.requests.length
    expect(await dialed({ onion: at(onionProxy) }, peer)).toBe('x')
    expect(await dialed({ onion: at(onionProxy) }, onionPeer)).toBe('x')
    expect(requestsSince(onionProxy, onion)).toEqual([ONION])
    expect(requestsSince(mainProxy, main)).toEqual([])
  })

  it('--proxy with --onion: .onion through the onion proxy, the rest through --proxy', async () => {
    const main = mainProxy.requests.length
    const onion = onionProxy.requests.length
    const options = { proxy: at(mainProxy), onion: at(onionProxy) }
    expect(await dialed(options, peer)).toBe('x')
    expect(await dialed(options, onionPeer)).toBe('x')
    expect(requestsSince(mainProxy, main)).toEqual(['127.0.0.1'])
    expect(requestsSince(onionProxy, onion)).toEqual([ONION])
  })

  it('--noonion refuses .onion with a named error and sends nothing to the proxy', async () => {
    const before = mainProxy.requests.length
    const err = await dialed({ proxy: at(mainProxy), noOnion: true }, onionPeer).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OnionDisabledError)
    expect((err as Error).message).toBe(`refusing to dial ${ONION}:8333: Tor (.onion) connections are disabled (noOnion)`)
    expect(mainProxy.requests.length).toBe(before)
  })

  it('uses the onion proxy\'s own credentials, and isolation credentials on both proxies', async () => {
    const onion = onionProxy.requests.length
    await dialed({ onion: at(onionProxy), onionUser: 'tor', onionPass: 'pw' }, onionPeer)
    expect(onionProxy.requests[onion]).toMatchObject({ username: 'tor', password: 'pw' })
    const main = mainProxy.requests.length
    await dialed({ proxy: at(mainProxy), torIsolation: true }, peer)
    expect(mainProxy.requests[main]?.username).toMatch(/^[0-9a-f]{16}$/)
  })
})

describe('contradictory transport options', () => {
  const proxy = { host: '127.0.0.1', port: 9050 }
  it.each<[Omit<TransportOptions, 'connectTimeoutMs'>, string]>([
    [{ onion: proxy, noOnion: true }, 'onion cannot be combined with noOnion'],
    [{ torIsolation: true }, 'torIsolation needs proxy or onion'],
    [{ proxyUser: 'u' }, 'proxyUser needs proxy'],
    [{ proxyPass: 'p' }, 'proxyPass needs proxy'],
    [{ onionUser: 'u', proxy }, 'onionUser needs onion'],
    [{ proxy, proxyUser: 'u', torIsolation: true }, 'proxyUser cannot be combined with torIsolation (isolation picks random credentials)'],
    [{ proxy, proxyPass: 'p'.repeat(256) }, 'proxyPass: at most 255 bytes (SOCKS5 limit)']
  ])('%j is refused: %s', (options, message) => {
    expect(transportOptionsProblem(options)).toBe(message)
    expect(() => createDialer(components, { connectTimeoutMs: 1, ...options })).toThrow(new DialerConfigError(message))
  })

  it('accepts consistent combinations', () => {
    expect(transportOptionsProblem({})).toBeUndefined()
    expect(transportOptionsProblem({ proxy, proxyUser: 'u', proxyPass: 'p', onion: proxy })).toBeUndefined()
    expect(transportOptionsProblem({ onion: proxy, torIsolation: true })).toBeUndefined()
  })

  it('words the problem with the caller\'s names for the options (the CLI passes its flags)', () => {
    const flag = (option: string): string => `--${option.toLowerCase()}`
    expect(transportOptionsProblem({ proxy, proxyUser: 'u', torIsolation: true }, flag)).toBe('--proxyuser cannot be combined with --torisolation (isolation picks random credentials)')
  })
})
