import { describe, expect, it } from 'vitest'
import { parseDenyEntry, parseWhitelistEntry } from '../../src/admission/permissions.ts'
import { BanList } from '../../src/banlist/ban-list.ts'
import { DefaultGater, type DefaultGaterInit } from '../../src/gater/default-gater.ts'
import { toNetAddress, type NetAddress } from '../../src/netaddr/netaddress.ts'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import { manualClock } from '../helpers/manual-clock.ts'

const UNLIMITED = { maxInboundPerIp: Infinity, maxInboundPerGroup: Infinity, inboundRatePerSecond: Infinity, maxPendingInbound: Infinity }

function addr (host: string, port = 8333): NetAddress {
  const a = toNetAddress(host, port)
  if (a === undefined) throw new Error(host)
  return a
}

/** The gater over a real ban list and registry; accept() registers what it allows, as the node does. */
function setup (init: DefaultGaterInit = {}): { gater: DefaultGater, banList: BanList, registry: ConnectionRegistry, accept: (host: string) => string } {
  const clock = manualClock()
  const banList = new BanList({ clock })
  const registry = new ConnectionRegistry()
  const groupOf = (a: NetAddress): string => a.host.split('.').slice(0, 2).join('.')
  const gater = new DefaultGater({ clock, banList, registry, groupOf }, { limits: UNLIMITED, ...init })
  let port = 2000
  const accept = (host: string): string => {
    const remote = addr(host, port++)
    const decision = gater.interceptAccept(remote)
    if (!decision.allow) return decision.reason
    registry.add({ kind: 'inbound', addr: remote, group: groupOf(remote), nowMs: clock.now(), session: { close: () => {} } })
    return 'allowed'
  }
  return { gater, banList, registry, accept }
}

const lists = (whitelist: string[], deny: string[] = []): DefaultGaterInit['lists'] => ({ whitelist: whitelist.map(parseWhitelistEntry), deny: deny.map(parseDenyEntry) })

describe('DefaultGater', () => {
  it('refuses a denied address on accept and on every kind of dial, even a permanent peer; deny wins over allow', () => {
    const { gater, accept } = setup({ lists: lists(['10.0.0.0/8'], ['10.1.0.0/16']) })
    expect(accept('10.1.2.3')).toBe('denied')
    expect(accept('10.2.0.1')).toBe('allowed')
    for (const kind of ['outbound-full-relay', 'manual', 'addr-fetch'] as const) {
      expect(gater.interceptAddrDial(addr('10.1.9.9'), kind)).toEqual({ allow: false, reason: 'denied' })
    }
    expect(gater.permissions('10.1.2.3')).toEqual({ noban: false, nolimit: false, addr: false })
    expect(gater.permissions('10.2.0.1')).toEqual({ noban: true, nolimit: true, addr: true })
  })

  it('refuses banned addresses unless noban; a denied address is never written to the ban list', () => {
    const { gater, banList, accept } = setup({ lists: lists(['noban@192.0.2.7'], ['198.51.100.0/24']) })
    banList.ban('192.0.2.0/24', { durationMs: 60_000, reason: 'test' })
    expect(accept('192.0.2.8')).toBe('banned')
    expect(accept('192.0.2.7')).toBe('allowed')
    expect(gater.interceptAddrDial(addr('192.0.2.8'), 'outbound-full-relay')).toEqual({ allow: false, reason: 'banned' })
    expect(gater.interceptAddrDial(addr('192.0.2.8'), 'manual').allow).toBe(true)
    expect(accept('198.51.100.1')).toBe('denied')
    expect(banList.size).toBe(1)
  })

  it('checks the limits in order and counts through the registry; slots_full comes last', () => {
    const { accept, registry } = setup({ limits: { ...UNLIMITED, maxInboundPerIp: 2, maxInboundPerGroup: 3 }, maxInbound: 4 })
    expect([accept('1.1.0.1'), accept('1.1.0.1'), accept('1.1.0.1')]).toEqual(['allowed', 'allowed', 'per_ip_limit'])
    expect([accept('1.1.0.2'), accept('1.1.0.3')]).toEqual(['allowed', 'per_group_limit'])
    expect([accept('2.2.0.1'), accept('3.3.0.1')]).toEqual(['allowed', 'slots_full'])
    expect(registry.count('inbound').total).toBe(4)
  })

  it('lets a nolimit peer past every limit and the full slot table; noban alone does not', () => {
    const { gater, accept } = setup({ limits: { maxInboundPerIp: 0, maxInboundPerGroup: 0, inboundRatePerSecond: 0, maxPendingInbound: 0 }, maxInbound: 0, lists: lists(['nolimit@10.0.0.1', 'noban@10.0.0.2']) })
    expect(accept('10.0.0.1')).toBe('allowed')
    expect(accept('10.0.0.1')).toBe('allowed')
    expect(gater.hasSlot(addr('10.0.0.1'))).toBe(true)
    expect(accept('10.0.0.2')).toBe('per_ip_limit')
    expect(gater.hasSlot(addr('10.0.0.2'))).toBe(false)
  })

  it('pending connections hold the pending cap until their handshake', () => {
    const { accept } = setup({ limits: { ...UNLIMITED, maxPendingInbound: 2 } })
    expect([accept('1.0.0.1'), accept('2.0.0.1'), accept('3.0.0.1')]).toEqual(['allowed', 'allowed', 'pending_limit'])
  })

  it('reconfigure applies new limits and lists to later sockets only, and keeps the old ones on a bad limit', () => {
    const { gater, accept, registry } = setup({ limits: { ...UNLIMITED, maxInboundPerIp: 3 } })
    expect([accept('5.5.0.1'), accept('5.5.0.1')]).toEqual(['allowed', 'allowed'])
    gater.reconfigure({ limits: { maxInboundPerIp: 1 }, lists: lists([], ['6.6.0.0/16']) })
    expect(registry.inboundFromHost('5.5.0.1')).toBe(2) // nothing closed
    expect(accept('5.5.0.1')).toBe('per_ip_limit')
    expect(accept('6.6.1.1')).toBe('denied')
    expect(gater.denied('6.6.1.1')).toBe(true)
    expect(() => { gater.reconfigure({ limits: { maxInboundPerIp: -1 }, lists: lists([]) }) }).toThrow('maxInboundPerIp must be a whole number')
    expect(gater.limits.maxInboundPerIp).toBe(1)
    expect(gater.denied('6.6.1.1')).toBe(true) // the lists of the failed reconfigure were not applied either
  })
})

describe('DefaultGater and eviction', () => {
  it('when inbound is full, asks evict() for room before refusing; a closed victim frees the slot', () => {
    const clock = manualClock()
    const banList = new BanList({ clock })
    const registry = new ConnectionRegistry()
    const groupOf = (a: NetAddress): string => a.host.split('.').slice(0, 2).join('.')
    const asked: string[] = []
    let victims = 1
    const evict = (remote: NetAddress): boolean => {
      asked.push(remote.host)
      const victim = registry.all()[0]
      if (victims === 0 || victim === undefined) return false
      victims--
      registry.remove(victim.id)
      return true
    }
    const gater = new DefaultGater({ clock, banList, registry, groupOf, evict }, { limits: UNLIMITED, maxInbound: 1 })
    expect(gater.interceptAccept(addr('10.0.0.1')).allow).toBe(true)
    registry.add({ kind: 'inbound', addr: addr('10.0.0.1'), group: '10.0', nowMs: 0, session: { close: () => {} } })
    expect(gater.interceptAccept(addr('10.1.0.1'))).toEqual({ allow: true })
    expect(gater.hasSlot(addr('10.1.0.1'))).toBe(true)
    registry.add({ kind: 'inbound', addr: addr('10.1.0.1'), group: '10.1', nowMs: 0, session: { close: () => {} } })
    expect(gater.interceptAccept(addr('10.2.0.1'))).toEqual({ allow: false, reason: 'slots_full' })
    expect(asked).toEqual(['10.1.0.1', '10.2.0.1'])
  })
})
