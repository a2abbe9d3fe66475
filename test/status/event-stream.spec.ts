import { get, type IncomingMessage } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildNodeConfig } from '../../src/cli/node-config.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NodeEvents } from '../../src/node/events.ts'
import { StatusServer } from '../../src/status/server.ts'
import { systemClock } from '../../src/util/clock.ts'
import { EventBus } from '../../src/util/event-bus.ts'
import { httpRequest } from '../helpers/http-request.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { untilIo, useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

// The status server's event stream over real loopback TCP, fed by a real EventBus<NodeEvents> (the node's
// bus type) with a node that is not running: what is under test is the stream's bounds, not the node.

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
  vi.useRealTimers()
})

async function statusServer (init: Partial<ConstructorParameters<typeof StatusServer>[1]> = {}): Promise<{ server: StatusServer, bus: EventBus<NodeEvents>, port: number }> {
  const config = buildNodeConfig({ chainparams: writeLocalChainParams(18444, tempDir('params')), nodnsseed: true, nolisten: true, datadir: tempDir('data') })
  const bus = new EventBus<NodeEvents>()
  const server = new StatusServer({ clock: systemClock, logger: nullLogger, node: { config, parts: undefined, events: bus } }, { listen: [{ host: '127.0.0.1', port: 0 }], ...init })
  await server.start()
  cleanup.push(async () => { await server.close() })
  return { server, bus, port: server.addresses()[0]?.port ?? 0 }
}

/** An SSE client that reads everything and keeps the messages' event names and data. */
interface Reader { res: IncomingMessage, messages: Array<{ event: string, data: string }>, ended: boolean }

async function reader (port: number): Promise<Reader> {
  return await new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/api/events', agent: false }, (res) => {
      const r: Reader = { res, messages: [], ended: false }
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
        let end: number
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end)
          text = text.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event !== undefined && data !== undefined) r.messages.push({ event, data })
        }
      })
      res.on('close', () => { r.ended = true })
      cleanup.push(() => { res.destroy() })
      resolve(r)
    }).on('error', reject)
  })
}

/** A client that sends its request and then never reads a byte. */
async function stalledClient (port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port })
  await new Promise<void>((resolve) => socket.once('connect', () => { resolve() }))
  socket.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
  socket.pause()
  cleanup.push(() => { socket.destroy() })
  return socket
}

const BIG_REASON = 'x'.repeat(8 * 1024)

describe('status event stream', () => {
  it('drops a client that never reads once its unsent data passes the bound; readers keep getting everything', async () => {
    const maxBufferedBytes = 64 * 1024
    const { server, bus, port } = await statusServer({ stream: { maxBufferedBytes } })
    const good = await reader(port)
    const stalled = await stalledClient(port)
    await untilIo(() => server.stream.clientCount === 2, 'two stream clients')
    let maxBuffered = 0
    let sent = 0
    const received = (): number => good.messages.filter((m) => m.event === 'event').length
    // Up to 24 MiB in 8 KiB events, paced by the reader (it has taken each batch before the next is sent):
    // more than loopback's socket buffers can absorb for the client that never reads.
    for (let batch = 0; batch < 750 && server.stream.dropped === 0; batch++) {
      for (let i = 0; i < 4; i++) {
        bus.emit('seednode_failed', { addr: `127.0.0.1:${sent}`, reason: BIG_REASON })
        sent++
        maxBuffered = Math.max(maxBuffered, server.stream.bufferedBytes())
      }
      await untilIo(() => received() === sent, 'the reader keeping up')
    }
    expect(server.stream.dropped).toBe(1)
    expect(server.stream.clientCount).toBe(1)
    // What the node held for the two clients never passed the bound plus one message, each.
    const frameBytes = BIG_REASON.length + 2048
    expect(maxBuffered).toBeLessThanOrEqual(2 * (maxBufferedBytes + frameBytes))
    expect(maxBuffered).toBeGreaterThan(maxBufferedBytes)
    // The server's side is gone: once the client finally reads, what was in flight ends with the close.
    let closed = false
    stalled.on('close', () => { closed = true })
    stalled.on('error', () => {})
    stalled.resume()
    await untilIo(() => closed, 'the stalled socket closed by the server')
    // The reader saw every event, in order.
    bus.emit('seednode_failed', { addr: 'last:1', reason: 'done' })
    await untilIo(() => good.messages.some((m) => m.data.includes('last:1')), 'the last event at the reader')
    const events = good.messages.filter((m) => m.event === 'event')
    expect(events.length).toBe(sent + 1)
    expect(good.messages[0]?.event).toBe('hello')
  })

  it('serves 50 clients at once, each gets every event; one more than the cap gets 503', async () => {
    const { server, bus, port } = await statusServer({ stream: { maxClients: 50 } })
    const clients = await Promise.all(Array.from({ length: 50 }, async () => await reader(port)))
    await untilIo(() => clients.every((c) => c.messages.length === 1), 'hello at every client')
    const over = await httpRequest(port, { method: 'GET', path: '/api/events' })
    expect(over.status).toBe(503)
    expect(over.body).toMatch(/50 status streams are open/)
    bus.emit('anchor_dial', { addr: '127.0.0.9:18444' })
    await untilIo(() => clients.every((c) => c.messages.length === 2), 'the event at every client')
    for (const c of clients) expect(JSON.parse(c.messages[1]?.data ?? '{}')).toMatchObject({ event: 'anchor_dial', subsystem: 'NODE', fields: { addr: '127.0.0.9:18444' } })
    // Page loads still get through beside a full set of streams.
    expect((await httpRequest(port, { method: 'GET', path: '/' })).status).toBe(200)
    await server.stop()
    await untilIo(() => clients.every((c) => c.ended), 'every stream ended at stop')
  })

  it('outlives the request deadline (streams are bounded by their buffer instead) and sends states on the clock', async () => {
    useFakeTimersWithRealIo(1_700_000_000_000)
    const { server, bus, port } = await statusServer({ limits: { requestTimeoutMs: 1_000 }, stateIntervalMs: 1_000 })
    const client = await reader(port)
    await untilIo(() => client.messages.length === 1, 'hello')
    bus.emit('anchor_dial', { addr: '127.0.0.9:18444' })
    await vi.advanceTimersByTimeAsync(30_000)
    await untilIo(() => client.messages.some((m) => m.event === 'state'), 'a state')
    expect(client.ended).toBe(false)
    expect(server.stream.clientCount).toBe(1)
    // A plain request is still held to the deadline: one that never sends its head is cut.
    const idle = connect({ host: '127.0.0.1', port })
    cleanup.push(() => { idle.destroy() })
    await new Promise<void>((resolve) => idle.once('connect', () => { resolve() }))
    await vi.advanceTimersByTimeAsync(15_000)
    await untilIo(() => idle.destroyed || idle.readableEnded, 'the idle connection cut')
  })

  it('answers the page, the snapshot and 404/405, all read-only', async () => {
    const { port } = await statusServer()
    const page = await httpRequest(port, { method: 'GET', path: '/' })
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/)
    expect(page.body).not.toMatch(/\b(src|href)=|url\(|@import/)
    const snapshot = await httpRequest(port, { method: 'GET', path: '/api/snapshot' })
    expect(JSON.parse(snapshot.body)).toMatchObject({ network: 'localnet', running: false, peers: [], timeline: [expect.any(Object)] })
    expect((await httpRequest(port, { method: 'POST', path: '/', body: '' })).status).toBe(405)
    expect((await httpRequest(port, { method: 'GET', path: '/nope' })).status).toBe(404)
  })
})
