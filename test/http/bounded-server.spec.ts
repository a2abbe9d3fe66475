import type { Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BoundedHttpServer, type BoundedHttpServerInit } from '../../src/http/bounded-server.ts'
import { sendText } from '../../src/http/reply.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { systemClock } from '../../src/util/clock.ts'
import { httpRequest, rawUpload } from '../helpers/http-request.ts'
import { closed, connectLoopback } from '../helpers/loopback-listener.ts'
import { untilIo, useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

const LIMITS = { headersTimeoutMs: 1_000, requestTimeoutMs: 5_000, keepAliveIdleMs: 2_000, shutdownGraceMs: 3_000, maxConnections: 3 }

describe('BoundedHttpServer', () => {
  let server: BoundedHttpServer | undefined
  afterEach(async () => {
    vi.useRealTimers()
    await server?.stop()
    server = undefined
  })

  const start = async (init: Partial<BoundedHttpServerInit> = {}): Promise<number> => {
    server = new BoundedHttpServer({ clock: systemClock, logger: nullLogger }, {
      name: 'test',
      listen: [{ host: '127.0.0.1', port: 0 }],
      handler: (_req, res) => { sendText(res, 200, 'ok\n') },
      limits: LIMITS,
      ...init
    })
    await server.start()
    return server.addresses()[0]?.port ?? 0
  }
  const isClosed = (socket: Socket): boolean => socket.destroyed || socket.readableEnded

  it('serves on every bound address and counts their connections together', async () => {
    server = new BoundedHttpServer({ clock: systemClock, logger: nullLogger }, {
      name: 'test', listen: [{ host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 0 }], handler: (_req, res) => { sendText(res, 200, 'ok\n') }, limits: LIMITS
    })
    await server.start()
    const [a, b] = server.addresses()
    expect((await httpRequest(a?.port ?? 0, { method: 'GET' })).body).toBe('ok\n')
    expect((await httpRequest(b?.port ?? 0, { method: 'GET' })).body).toBe('ok\n')
    const held = [await connectLoopback(a?.port ?? 0), await connectLoopback(b?.port ?? 0), await connectLoopback(a?.port ?? 0)]
    await untilIo(() => server?.connectionCount === 3, 'three connections')
    const fourth = await connectLoopback(b?.port ?? 0)
    await closed(fourth)
    expect(server.connectionCount).toBe(3)
    for (const s of held) s.destroy()
  })

  it('answers 403 to a client the allow check refuses, before the handler', async () => {
    let handled = 0
    const port = await start({ allowRemote: (ip) => ip !== '127.0.0.1', handler: (_req, res) => { handled++; sendText(res, 200, 'ok\n') } })
    const reply = await httpRequest(port, { method: 'GET' })
    expect(reply.status).toBe(403)
    expect(handled).toBe(0)
  })

  it('answers 500 when a handler throws, and keeps serving', async () => {
    let calls = 0
    const port = await start({ handler: (_req, res) => { if (calls++ === 0) throw new Error('bug'); sendText(res, 200, 'ok\n') } })
    expect((await httpRequest(port, { method: 'GET' })).status).toBe(500)
    expect((await httpRequest(port, { method: 'GET' })).status).toBe(200)
  })

  it('refuses request heads over 8 KiB (431)', async () => {
    const port = await start()
    const reply = await rawUpload(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(9000)}\r\n\r\n`, [])
    expect(reply).toBe(431)
    expect((await httpRequest(port, { method: 'GET' })).status).toBe(200)
  })

  it('cuts a client whose request head is not complete within headersTimeoutMs (on the clock)', async () => {
    useFakeTimersWithRealIo(0)
    const port = await start()
    const slow = await connectLoopback(port)
    slow.write('GET / HTTP/1.1\r\nHost: x\r\n')
    await untilIo(() => server?.connectionCount === 1, 'the connection')
    await vi.advanceTimersByTimeAsync(999)
    expect(isClosed(slow)).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await closed(slow)
    expect(server?.connectionCount).toBe(0)
  })

  it('cuts a request whose handler or body outlasts requestTimeoutMs', async () => {
    useFakeTimersWithRealIo(0)
    let handled = false
    const port = await start({ handler: () => { handled = true } })
    const socket = await connectLoopback(port)
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await untilIo(() => handled, 'the request')
    await vi.advanceTimersByTimeAsync(4_999)
    expect(isClosed(socket)).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await closed(socket)
  })

  it('closes a kept-alive connection idle for keepAliveIdleMs after its response', async () => {
    useFakeTimersWithRealIo(0)
    const port = await start()
    const socket = await connectLoopback(port)
    let received = ''
    socket.on('data', (c: Buffer) => { received += c.toString() })
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await untilIo(() => received.includes('ok\n'), 'the response')
    await vi.advanceTimersByTimeAsync(1_999)
    expect(isClosed(socket)).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await closed(socket)
  })

  it('lets a request in flight finish at stop, within the grace, and cuts it after', async () => {
    useFakeTimersWithRealIo(0)
    let answer: (() => void) | undefined
    const port = await start({ handler: (_req, res) => { answer = () => { sendText(res, 200, 'late\n') } } })
    const pending = httpRequest(port, { method: 'GET' })
    await untilIo(() => answer !== undefined, 'the request')
    const idle = await connectLoopback(port)
    await untilIo(() => server?.connectionCount === 2, 'the idle connection')
    const stopping = server?.stop()
    await closed(idle)
    answer?.()
    expect((await pending).body).toBe('late\n')
    await stopping

    let handled = false
    const again = await start({ handler: () => { handled = true } })
    const socket = await connectLoopback(again)
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await untilIo(() => handled, 'the stuck request')
    const stop2 = server?.stop()
    await vi.advanceTimersByTimeAsync(3_000)
    await closed(socket)
    await stop2
  })
})
