import type { Server, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnManager } from '../../src/connmgr/conn-manager.ts'
import { acceptQueue, closed, connectLoopback, listenLoopback } from '../helpers/loopback-listener.ts'
import type { FakeConn } from '../helpers/scripted-dial.ts'
import { makeManager } from './harness.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function managerWithListeners (count: number, maxInbound?: number): Promise<{
  cm: ConnManager<FakeConn>, ports: number[], servers: Server[], accepted: Socket[], nextAccepted: () => Promise<Socket>
}> {
  const listening = await Promise.all(Array.from({ length: count }, listenLoopback))
  const queue = acceptQueue()
  const { cm } = makeManager({ listeners: listening.map((l) => l.server), maxInbound, onAccept: queue.onAccept })
  cleanup.push(async () => {
    await cm.stop()
    for (const s of queue.accepted) s.destroy()
  })
  return {
    cm,
    ports: listening.map((l) => l.port),
    servers: listening.map((l) => l.server),
    accepted: queue.accepted,
    nextAccepted: queue.next
  }
}

async function client (port: number): Promise<Socket> {
  const socket = await connectLoopback(port)
  cleanup.push(() => socket.destroy())
  return socket
}

describe('ConnManager listeners: btcd tests over real TCP', () => {
  it('TestListeners: 2 listeners x 2 connections reach onAccept 4 times; stop closes the listeners', async () => {
    const { cm, ports, servers, accepted } = await managerWithListeners(2)
    cm.start()
    const all = new Promise<void>((resolve) => {
      const check = (): void => { if (accepted.length === 4) resolve(); else setImmediate(check) }
      check()
    })
    for (const port of ports) {
      await client(port)
      await client(port)
    }
    await all
    expect(accepted.map((s) => s.localPort).sort()).toEqual([ports[0], ports[0], ports[1], ports[1]].sort())
    await cm.stop()
    await cm.wait()
    expect(servers.every((s) => !s.listening)).toBe(true)
  })

  it('TestListenerInboundLimit: the excess socket is rejected before onAccept; the slot is reused after close', async () => {
    const { cm, ports, accepted, nextAccepted } = await managerWithListeners(1, 1)
    const port = ports[0] ?? 0
    cm.start()
    const a1 = nextAccepted()
    await client(port)
    const first = await a1
    const excess = await client(port)
    await closed(excess)
    expect(cm.inboundRejected).toBe(1)
    expect(accepted).toHaveLength(1)

    first.destroy()
    await closed(first)
    const a2 = nextAccepted()
    await client(port)
    await a2
    expect(accepted).toHaveLength(2)
    expect(cm.inboundCount).toBe(1)
  })

  it('without onAccept nobody owns inbound sockets, so they are closed', async () => {
    const { server, port } = await listenLoopback()
    const { cm } = makeManager({ listeners: [server] })
    cleanup.push(async () => await cm.stop())
    cm.start()
    await closed(await client(port))
    expect(cm.inboundRejected).toBe(1)
  })
})
