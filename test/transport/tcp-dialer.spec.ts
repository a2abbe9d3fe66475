import { once } from 'node:events'
import type { Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { DialTimeoutError, UnreachableNetworkError } from '../../src/transport/errors.ts'
import { TcpDialer } from '../../src/transport/tcp-dialer.ts'
import { systemClock } from '../../src/util/clock.ts'
import { listenLoopback, refusedPort } from '../helpers/loopback-listener.ts'
import { startStalledListener } from '../helpers/stalled-listener.ts'
import { useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

const live = (): AbortSignal => new AbortController().signal
const ipv4 = (port: number) => ({ network: 'ipv4' as const, host: '127.0.0.1', port })

describe('TcpDialer', () => {
  let stalled: { port: number, close(): Promise<void> }
  beforeAll(async () => { stalled = await startStalledListener() })
  afterAll(async () => { await stalled.close() })
  afterEach(() => { vi.useRealTimers() })

  it('connects to a loopback peer and the stream carries bytes both ways', async () => {
    const { server, port } = await listenLoopback()
    server.on('connection', (s: Socket) => { s.pipe(s) })
    const socket = await new TcpDialer({ clock: systemClock }).dial(ipv4(port), { signal: live() })
    socket.write('ping')
    const [echo] = await once(socket, 'data') as [Buffer]
    expect(echo.toString()).toBe('ping')
    socket.destroy()
    server.close()
  })

  it('reports a refused connection with the system error', async () => {
    const port = await refusedPort()
    await expect(new TcpDialer({ clock: systemClock }).dial(ipv4(port), { signal: live() })).rejects.toThrow(/ECONNREFUSED/)
  })

  it.each([
    ['torv3', 'v7ajjeirttkbnt32wpy3c6w3emwnfr3fkla7hpxcfokr3ysd3kqtzmqd.onion'],
    ['i2p', 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p']
  ] as const)('refuses a %s address: it needs a proxy, and is never looked up', async (network, host) => {
    await expect(new TcpDialer({ clock: systemClock }).dial({ network, host, port: 8333 }, { signal: live() }))
      .rejects.toThrow(UnreachableNetworkError)
  })

  it('gives up a connect that hangs once the connect timeout passes on the injected clock', async () => {
    useFakeTimersWithRealIo()
    const dial = new TcpDialer({ clock: systemClock }, { connectTimeoutMs: 3_000 }).dial(ipv4(stalled.port), { signal: live() })
    const outcome = dial.then(() => 'connected', (err: unknown) => err)
    await vi.advanceTimersByTimeAsync(2_999)
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)
    const err = await outcome
    expect(err).toBeInstanceOf(DialTimeoutError)
    expect((err as Error).message).toBe(`connecting to 127.0.0.1:${stalled.port} timed out after 3000 ms`)
  })

  it('stops a hanging connect when its signal aborts, with the signal\'s reason', async () => {
    const controller = new AbortController()
    const dial = new TcpDialer({ clock: systemClock }).dial(ipv4(stalled.port), { signal: controller.signal })
    controller.abort(new Error('shutting down'))
    await expect(dial).rejects.toThrow('shutting down')
  })

  it('does not start when the signal is already aborted', async () => {
    const { server, port } = await listenLoopback()
    let accepted = 0
    server.on('connection', (s: Socket) => { accepted++; s.destroy() })
    await expect(new TcpDialer({ clock: systemClock }).dial(ipv4(port), { signal: AbortSignal.abort(new Error('cancelled')) }))
      .rejects.toThrow('cancelled')
    expect(accepted).toBe(0)
    server.close()
  })
})
