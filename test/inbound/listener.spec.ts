import type { Server, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { allowAllGater, deny, type ConnectionGater } from '../../src/gater/gater.ts'
import { InboundListener } from '../../src/inbound/listener.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import type { Clock } from '../../src/util/clock.ts'
import { systemClock } from '../../src/util/clock.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'
import { acceptQueue, closed, connectLoopback, listenLoopback } from '../helpers/loopback-listener.ts'

/**
 * Real TCP on 127.0.0.1: the listener takes the server's sockets, and the test sees what onAccept saw.
 * The slot count is the test's own (the node asks its connection registry): admitted sockets still open.
 */
async function setup (maxInbound: number | undefined, clock: Clock = systemClock, gater: ConnectionGater = allowAllGater): Promise<{
  limiter: InboundListener, live: () => number, port: number, server: Server, accepted: Socket[], nextAccepted: () => Promise<Socket>,
  logger: ReturnType<typeof recordingLogger>
}> {
  const { server, port } = await listenLoopback()
  const queue = acceptQueue()
  const logger = recordingLogger()
  let live = 0
  const limiter = new InboundListener({ clock, logger, events: logger, gater }, {
    servers: [server],
    hasSlot: () => maxInbound === undefined || live < maxInbound,
    onAccept: (socket) => {
      live++
      socket.once('close', () => { live-- })
      queue.onAccept(socket)
    }
  })
  await limiter.start()
  servers.push({ limiter, accepted: queue.accepted })
  return { limiter, live: () => live, port, server, accepted: queue.accepted, logger, nextAccepted: queue.next }
}

const servers: Array<{ limiter: InboundListener, accepted: Socket[] }> = []
const clients: Socket[] = []
async function client (port: number): Promise<Socket> {
  const socket = await connectLoopback(port)
  clients.push(socket)
  return socket
}

afterEach(() => {
  for (const c of clients.splice(0)) c.destroy()
  for (const { limiter, accepted } of servers.splice(0)) {
    limiter.stop()
    for (const s of accepted) s.destroy()
  }
})

describe('InboundListener: btcd tests over real TCP', () => {
  it('TestInboundLimit: a third socket is rejected; closing one twice frees one slot; nothing leaks', async () => {
    const { limiter, live, port, nextAccepted } = await setup(2)
    const a1 = nextAccepted()
    await client(port)
    const first = await a1
    const a2 = nextAccepted()
    await client(port)
    const second = await a2
    const third = await client(port)
    await closed(third)
    expect(limiter.rejected).toBe(1)
    expect(live()).toBe(2)

    first.destroy()
    first.destroy()
    await closed(first)
    expect(live()).toBe(1)

    const a3 = nextAccepted()
    await client(port)
    const replacement = await a3
    expect(live()).toBe(2)
    second.destroy()
    replacement.destroy()
    await Promise.all([closed(second), closed(replacement)])
    expect(live()).toBe(0)
  })

  it('TestInboundLimitDisabled: a limit of 0 rejects every socket and counts it', async () => {
    const { limiter, port, accepted } = await setup(0)
    const socket = await client(port)
    await closed(socket)
    expect(limiter.rejected).toBe(1)
    expect(accepted).toEqual([])
  })

  it('TestInboundLimitConcurrent: 100 sockets at once, limit 8: never more than 8 live, none leaked', async () => {
    const { limiter, live, port, accepted } = await setup(8)
    let maxLive = 0
    const everyOneSeen = new Promise<void>((resolve) => {
      const check = (): void => {
        maxLive = Math.max(maxLive, live())
        if (accepted.length + limiter.rejected === 100) resolve()
        else setImmediate(check)
      }
      check()
    })
    await Promise.all(Array.from({ length: 100 }, async () => await client(port)))
    // Every client is either admitted (its server end handed to onAccept) or closed by the server.
    await everyOneSeen
    expect(maxLive).toBeLessThanOrEqual(8)
    expect(accepted).toHaveLength(8)
    expect(live()).toBe(8)
    expect(limiter.rejected).toBe(92)
    await Promise.all(accepted.map(async (s) => {
      s.destroy()
      await closed(s)
    }))
    expect(live()).toBe(0)
  })
})

describe('InboundListener: accept failures', () => {
  it('sheds sockets during a doubling pause after accept errors instead of spinning, and logs them rate-limited', async () => {
    let now = 0
    const clock: Clock = { ...systemClock, now: () => now }
    const { limiter, port, server, accepted, logger, nextAccepted } = await setup(undefined, clock)
    const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' })
    server.emit('error', emfile)
    server.emit('error', emfile)
    // Two failures in a row: paused 10 ms (5, doubling).
    now = 9
    await closed(await client(port))
    expect(limiter.rejected).toBe(1)
    expect(accepted).toEqual([])
    now = 10
    const next = nextAccepted()
    await client(port)
    await next
    expect(accepted).toHaveLength(1)
    const failures = logger.records.filter((r) => r.event === 'accept_failed')
    expect(failures.map((r) => r.fields.delayMs)).toEqual([5, 10])
    expect(logger.records.find((r) => r.event === 'inbound_rejected')?.fields.reason).toBe('accept_backoff')
  })

  it('emits every rejection, but summarises them for the log: the first three, then one line per 10 s with what it held back', async () => {
    let now = 0
    const clock: Clock = { ...systemClock, now: () => now }
    const { port, logger, limiter } = await setup(0, clock)
    for (let i = 0; i < 5; i++) await closed(await client(port))
    now = 10_000
    await closed(await client(port))
    expect(logger.records.filter((r) => r.event === 'inbound_rejected').map((r) => r.fields.reason)).toEqual(Array(6).fill('slots_full'))
    const lines = logger.records.filter((r) => r.event === 'inbound_rejections').map((r) => r.fields)
    expect(lines.map((f) => [f.rejected, f.heldBack])).toEqual([[1, 0], [2, 0], [3, 0], [6, 2]])
    expect(lines[3]?.heldBackByReason).toEqual({ slots_full: 2 })
    // The tail of a flood is reported when the listener stops (and by its timer while it runs).
    for (let i = 0; i < 4; i++) await closed(await client(port))
    limiter.stop()
    expect(logger.records.filter((r) => r.event === 'inbound_rejections').at(-1)?.fields).toMatchObject({ rejected: 10, heldBack: 4, heldBackByReason: { slots_full: 4 } })
    expect(logger.records.filter((r) => r.event === 'inbound_rejections').at(-1)?.fields.addr).toBeUndefined()
  })
})

describe('InboundListener: listeners (btcd TestListeners) and the gater', () => {
  it('two listeners x two connections reach onAccept four times; stop closes the listeners', async () => {
    const listening = await Promise.all([listenLoopback(), listenLoopback()])
    const queue = acceptQueue()
    const listener = new InboundListener({ clock: systemClock, logger: recordingLogger(), gater: allowAllGater }, {
      servers: listening.map((l) => l.server),
      onAccept: queue.onAccept
    })
    await listener.start()
    servers.push({ limiter: listener, accepted: queue.accepted })
    for (const { port } of listening) {
      const first = queue.next()
      await client(port)
      await first
      const second = queue.next()
      await client(port)
      await second
    }
    expect(queue.accepted.map((s) => s.localPort).sort()).toEqual(listening.flatMap((l) => [l.port, l.port]).sort())
    listener.stop()
    await Promise.all(listening.map(async (l) => await new Promise((resolve) => { if (!l.server.listening) resolve(undefined); else l.server.once('close', resolve) })))
    expect(listening.every((l) => !l.server.listening)).toBe(true)
  })

  it('without onAccept nobody owns inbound sockets, so they are closed', async () => {
    const { server, port } = await listenLoopback()
    const listener = new InboundListener({ clock: systemClock, logger: recordingLogger(), gater: allowAllGater }, { servers: [server] })
    await listener.start()
    servers.push({ limiter: listener, accepted: [] })
    await closed(await client(port))
    expect(listener.rejected).toBe(1)
  })

  it('asks the gater exactly once per socket, before the slot check; a refusal costs no slot and no onAccept', async () => {
    const asked: string[] = []
    let slotChecks = 0
    const gater: ConnectionGater = {
      ...allowAllGater,
      interceptAccept: (remote: NetAddress) => {
        asked.push(remote.host)
        return asked.length === 1 ? deny('denied') : { allow: true }
      }
    }
    const { server, port } = await listenLoopback()
    const queue = acceptQueue()
    const logger = recordingLogger()
    const listener = new InboundListener({ clock: systemClock, logger, events: logger, gater }, {
      servers: [server],
      hasSlot: () => { slotChecks++; return true },
      onAccept: queue.onAccept
    })
    await listener.start()
    servers.push({ limiter: listener, accepted: queue.accepted })
    await closed(await client(port))
    expect(asked).toEqual(['127.0.0.1'])
    expect(slotChecks).toBe(0)
    expect(queue.accepted).toEqual([])
    expect(logger.records.filter((r) => r.event === 'inbound_rejected').map((r) => r.fields.reason)).toEqual(['denied'])
    const next = queue.next()
    await client(port)
    await next
    expect(asked).toHaveLength(2)
    expect(slotChecks).toBe(1)
  })
})
