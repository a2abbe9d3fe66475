import { describe, expect, it } from 'vitest'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import type { HandshakeInfo } from '../../src/peer/types.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'

const v4 = (host: string, port = 8333): NetAddress => ({ network: 'ipv4', host, port })
const session = (): { close: (reason: string) => void, closed: string[] } => {
  const closed: string[] = []
  return { closed, close: (reason) => { closed.push(reason) } }
}
const info = (id: number, addr: NetAddress): HandshakeInfo => ({
  id, addr, direction: 'inbound', version: 70016, services: 1n, userAgent: '/t/', startHeight: 0, relay: false, addrV2: false, wtxidRelay: false, timeOffsetSeconds: 0, localAddr: { services: 0n, host: '::', port: 0 }, transport: 'v1', sessionId: undefined
})

describe('ConnectionRegistry', () => {
  it('hands out one id space shared with whoever calls nextId, and refuses an id twice', () => {
    const registry = new ConnectionRegistry()
    const reqId = registry.nextId()
    const a = registry.add({ kind: 'inbound', addr: v4('1.2.3.4'), group: '1.2', nowMs: 5, session: session() })
    expect(a.id).toBe(reqId + 1)
    expect(() => registry.add({ id: a.id, kind: 'inbound', addr: v4('1.2.3.5'), group: '1.2', nowMs: 5, session: session() })).toThrow(/already registered/)
    expect(a).toMatchObject({ direction: 'inbound', kind: 'inbound', key: '1.2.3.4:8333', connectedAtMs: 5, handshake: undefined })
  })

  it('counts by kind and direction, pending and established, and per inbound host and group', () => {
    const registry = new ConnectionRegistry()
    const in1 = registry.add({ kind: 'inbound', addr: v4('1.2.3.4', 1), group: '1.2', nowMs: 0, session: session() })
    registry.add({ kind: 'inbound', addr: v4('1.2.3.4', 2), group: '1.2', nowMs: 0, session: session() })
    registry.add({ kind: 'inbound', addr: v4('1.2.9.9', 3), group: '1.2', nowMs: 0, session: session() })
    const out = registry.add({ kind: 'outbound-full-relay', addr: v4('5.6.7.8'), group: '5.6', nowMs: 0, session: session() })
    registry.add({ kind: 'manual', addr: v4('9.9.9.9'), group: '9.9', nowMs: 0, session: session() })
    expect(registry.count('inbound')).toEqual({ total: 3, established: 0 })
    expect(registry.inboundFromHost('1.2.3.4')).toBe(2)
    expect(registry.inboundFromGroup('1.2')).toBe(3)
    expect(registry.countDirection('outbound')).toEqual({ total: 2, established: 0 })

    registry.established(in1.id, info(in1.id, in1.addr), 10)
    registry.established(in1.id, info(in1.id, in1.addr), 20) // once only
    registry.established(out.id, info(out.id, out.addr), 10)
    expect(registry.count('inbound')).toEqual({ total: 3, established: 1 })
    expect(registry.get(in1.id)?.handshakeAtMs).toBe(10)
    expect(registry.outboundGroupCount()).toBe(1)

    expect(registry.remove(in1.id)).toBe(true)
    expect(registry.remove(in1.id)).toBe(false)
    registry.remove(out.id)
    expect(registry.count('inbound')).toEqual({ total: 2, established: 0 })
    expect(registry.inboundFromHost('1.2.3.4')).toBe(1)
    expect(registry.outboundGroupCount()).toBe(0)
    expect(registry.count('outbound-full-relay')).toEqual({ total: 0, established: 0 })
    expect(registry.size).toBe(3)
  })

  it('keeps tags per connection', () => {
    const registry = new ConnectionRegistry()
    const c = registry.add({ kind: 'inbound', addr: v4('1.2.3.4'), group: '1.2', nowMs: 0, session: session() })
    registry.tag(c.id, 'useful', 5)
    expect([...(registry.get(c.id)?.tags ?? [])]).toEqual([['useful', 5]])
    registry.tag(c.id, 'useful', undefined)
    expect(registry.get(c.id)?.tags.size).toBe(0)
  })
})
