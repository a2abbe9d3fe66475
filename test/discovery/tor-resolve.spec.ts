import type { Socket } from 'node:net'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { TOR_STATUS_MESSAGES, TorAuthFailedError, TorInvalidAddressResponseError, TorInvalidProxyResponseError, TorProxyUnreachableError, TorRequestError, TorStatusError, TorTimeoutError, TorUnrecognizedAuthMethodError } from '../../src/discovery/errors.ts'
import { torLookupIP } from '../../src/discovery/tor-resolve.ts'
import { SocketReader } from '../../src/transport/socket-reader.ts'
import { systemClock } from '../../src/util/clock.ts'
import { listenLoopback, refusedPort } from '../helpers/loopback-listener.ts'
import { startSocks5Server, type Socks5Server } from '../helpers/socks5-server.ts'
import { untilIo, useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

const loopback = (port: number) => ({ host: '127.0.0.1', port })

interface Scripted { port: number, connections: number, received: Buffer[], closed: number, close(): void }

/** A loopback server that plays `script` against each connection: for replies a real proxy would not send. */
async function scripted (script: (socket: Socket, reader: SocketReader, received: Buffer[]) => Promise<void>): Promise<Scripted> {
  const { server, port } = await listenLoopback()
  const state: Scripted = { port, connections: 0, received: [], closed: 0, close: () => { server.close() } }
  server.on('connection', (socket: Socket) => {
    state.connections++
    socket.setNoDelay(true)
    socket.on('error', () => {})
    socket.once('close', () => { state.closed++ })
    script(socket, new SocketReader(socket), state.received).catch(() => { socket.destroy() })
  })
  return state
}

/** Writes one byte per event-loop turn, so the client sees the reply in many TCP segments. */
async function dribble (socket: Socket, bytes: number[]): Promise<void> {
  for (const b of bytes) {
    socket.write(Buffer.from([b]))
    await nextTurn()
  }
}

/** Plays a no-auth greeting, reads the RESOLVE request, then sends `reply`. */
const replyWith = (reply: number[], end = true) => async (socket: Socket, reader: SocketReader, received: Buffer[]): Promise<void> => {
  received.push(await reader.read(3))
  socket.write(Buffer.from([5, 0]))
  const head = await reader.read(5)
  const rest = await reader.read((head[4] ?? 0) + 2)
  received.push(Buffer.concat([head, rest]))
  if (end) socket.end(Buffer.from(reply))
  else socket.write(Buffer.from(reply))
}

describe('torLookupIP against a SOCKS5 server on loopback', () => {
  const servers: Array<{ close(): void | Promise<void> }> = []
  const socks = async (init: Parameters<typeof startSocks5Server>[0]): Promise<Socks5Server> => {
    const s = await startSocks5Server(init)
    servers.push(s)
    return s
  }
  const script = async (play: Parameters<typeof scripted>[0]): Promise<Scripted> => {
    const s = await scripted(play)
    servers.push(s)
    return s
  }
  afterAll(async () => { for (const s of servers) await s.close() })
  afterEach(() => { vi.useRealTimers() })

  it('sends exactly the greeting and RESOLVE request btcd sends, and reads an IPv4 answer', async () => {
    const s = await script(replyWith([5, 0, 0, 1, 203, 0, 113, 9, 0, 0]))
    expect(await torLookupIP('seed.test', loopback(s.port))).toEqual(['203.0.113.9'])
    expect(s.received.map((b) => b.toString('hex'))).toEqual([
      '050100',
      `05f0000309${Buffer.from('seed.test').toString('hex')}0000`
    ])
  })

  it('accepts an IPv6 answer (what Tor gives automapped names by default; btcd rejected it)', async () => {
    const s = await socks({ resolve: { 'v6.test': '2001:db8::7' } })
    expect(await torLookupIP('v6.test', loopback(s.port))).toEqual(['2001:db8::7'])
    expect(s.requests).toEqual([{ command: 'resolve', host: 'v6.test', port: 0 }])
  })

  it('reads a reply that arrives one byte per TCP segment', async () => {
    const answer = [5, 0, 0, 4, 0xfe, 0x80, ...new Array<number>(13).fill(0), 0x42, 0, 0]
    const s = await script(async (socket, reader) => {
      await reader.read(3)
      await dribble(socket, [5, 0])
      const head = await reader.read(5)
      await reader.read((head[4] ?? 0) + 2)
      await dribble(socket, answer)
      socket.end()
    })
    expect(await torLookupIP('slow.test', loopback(s.port))).toEqual(['fe80::42'])
  })

  it('greets with username/password only, when credentials are given (Tor isolates by them)', async () => {
    const s = await socks({ users: { username: 'iso-1', password: 'pw' }, resolve: { 'a.test': '10.1.2.3' } })
    expect(await torLookupIP('a.test', loopback(s.port), { credentials: { username: 'iso-1', password: 'pw' } })).toEqual(['10.1.2.3'])
    expect(s.requests[0]).toMatchObject({ command: 'resolve', username: 'iso-1', password: 'pw' })
    const seen = await script(async (socket, reader, received) => { received.push(await reader.read(3)); socket.end(Buffer.from([5, 0xff])) })
    await torLookupIP('a.test', loopback(seen.port), { credentials: { username: 'u', password: 'p' } }).catch(() => {})
    expect(seen.received[0]?.toString('hex')).toBe('050102')
  })

  it('reports rejected credentials as TorAuthFailedError', async () => {
    const s = await socks({ users: { username: 'iso-1', password: 'pw' } })
    const err = await torLookupIP('a.test', loopback(s.port), { credentials: { username: 'iso-1', password: 'nope' } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TorAuthFailedError)
    expect(err).toMatchObject({ status: 1 })
  })

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('turns status 0x0%i into TorStatusError with btcd\'s message', async (status) => {
    const s = await socks({ resolve: { 'x.test': status } })
    const err = await torLookupIP('x.test', loopback(s.port)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TorStatusError)
    expect(err).toMatchObject({ status, message: `${TOR_STATUS_MESSAGES[status] ?? ''} (SOCKS5 status 0x0${status}) resolving x.test` })
  })

  it.each([9, 0xff])('treats status %i, outside the table, as an invalid proxy response carrying the code', async (status) => {
    const s = await socks({ resolve: { 'x.test': status } })
    const err = await torLookupIP('x.test', loopback(s.port)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TorInvalidProxyResponseError)
    expect(err).toMatchObject({ status })
  })

  it.each<[string, Parameters<typeof scripted>[0], new (...a: never[]) => Error, RegExp]>([
    ['a greeting reply of another SOCKS version', async (socket, reader) => { await reader.read(3); socket.end(Buffer.from([4, 0])) },
      TorInvalidProxyResponseError, /greeting reply has version 4/],
    ['no acceptable authentication method', async (socket, reader) => { await reader.read(3); socket.end(Buffer.from([5, 0xff])) },
      TorUnrecognizedAuthMethodError, /0xff/],
    ['a method we did not offer', async (socket, reader) => { await reader.read(3); socket.end(Buffer.from([5, 2])) },
      TorUnrecognizedAuthMethodError, /0x02/],
    ['a connection closed after the greeting', async (socket, reader) => { await reader.read(3); socket.end(Buffer.from([5])) },
      TorInvalidProxyResponseError, /greeting reply: connection closed after 1 of 2/],
    ['a RESOLVE reply of another version', replyWith([4, 0, 0, 1, 1, 2, 3, 4, 0, 0]), TorInvalidProxyResponseError, /version 4/],
    ['an answer that is a name', replyWith([5, 0, 0, 3, 1, 0x61, 0, 0]), TorInvalidAddressResponseError, /address type 3/],
    ['an address cut short', replyWith([5, 0, 0, 1, 10, 0]), TorInvalidAddressResponseError, /closed after 2 of 6/],
    ['an IPv6 address cut short', replyWith([5, 0, 0, 4, 0xfe, 0x80]), TorInvalidAddressResponseError, /closed after 2 of 18/]
  ])('rejects %s', async (_what, play, errorClass, message) => {
    const s = await script(play)
    const err = await torLookupIP('x.test', loopback(s.port)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(errorClass)
    expect((err as Error).message).toMatch(message)
  })

  it('refuses a host over 255 bytes before connecting; 255 bytes still go through', async () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(64)}`
    const s = await socks({ resolve: { [long.slice(0, 255)]: '192.0.2.1' } })
    await expect(torLookupIP(long, loopback(s.port))).rejects.toThrow(TorRequestError)
    expect(s.requests).toEqual([])
    expect(await torLookupIP(long.slice(0, 255), loopback(s.port))).toEqual(['192.0.2.1'])
  })

  it('names the proxy when it cannot be reached', async () => {
    const port = await refusedPort()
    await expect(torLookupIP('a.test', loopback(port))).rejects.toThrow(TorProxyUnreachableError)
    await expect(torLookupIP('a.test', loopback(port))).rejects.toThrow(`cannot reach the Tor proxy 127.0.0.1:${port}`)
  })

  it('times out on the injected clock when the proxy never answers, closing the connection', async () => {
    const s = await script(async (_socket, reader) => { await reader.read(3) })
    useFakeTimersWithRealIo()
    const lookup = torLookupIP('a.test', loopback(s.port), { clock: systemClock, timeoutMs: 4_000 }).catch((e: unknown) => e)
    await untilIo(() => s.connections === 1, 'the connection')
    await vi.advanceTimersByTimeAsync(3_999)
    expect(await Promise.race([lookup, Promise.resolve('pending')])).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)
    const err = await lookup
    expect(err).toBeInstanceOf(TorTimeoutError)
    expect((err as Error).message).toBe(`no answer from the Tor proxy 127.0.0.1:${s.port} for a.test within 4000 ms`)
    await untilIo(() => s.closed === 1, 'the proxy connection to close')
  })

  it('stops when the signal aborts, with its reason, and closes the connection', async () => {
    const s = await script(async (_socket, reader) => { await reader.read(3) })
    const controller = new AbortController()
    const lookup = torLookupIP('a.test', loopback(s.port), { signal: controller.signal })
    await untilIo(() => s.connections === 1, 'the connection')
    controller.abort(new Error('node stopping'))
    await expect(lookup).rejects.toThrow('node stopping')
    await untilIo(() => s.closed === 1, 'the proxy connection to close')
  })
})
