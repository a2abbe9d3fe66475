import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BanList, DEFAULT_BAN_DURATION_MS } from '../../src/banlist/ban-list.ts'
import type { BanChange } from '../../src/banlist/ban-list.ts'
import { systemClock } from '../../src/util/clock.ts'

const HOUR_MS = 60 * 60 * 1000
const ONION = `${'b'.repeat(56)}.onion`

function recordChanges (list: BanList): BanChange[] {
  const changes: BanChange[] = []
  list.on('changed', (c) => changes.push(c))
  return changes
}

describe('BanList', () => {
  beforeEach(() => { vi.useFakeTimers({ now: 1_000_000 }) })
  afterEach(() => { vi.useRealTimers() })

  it('bans one address for 24 hours by default, recording reason and creation time', () => {
    const list = new BanList({ clock: systemClock })
    const entry = list.ban('1.2.3.4', { reason: 'sent garbage' })
    expect(entry).toEqual({ target: '1.2.3.4', reason: 'sent garbage', createdMs: 1_000_000, expiresMs: 1_000_000 + DEFAULT_BAN_DURATION_MS })
    expect(list.isBanned('1.2.3.4')).toBe(true)
    expect(list.isBanned('1.2.3.5')).toBe(false)
    vi.advanceTimersByTime(DEFAULT_BAN_DURATION_MS - 1)
    expect(list.isBanned('1.2.3.4')).toBe(true)
    vi.advanceTimersByTime(1)
    expect(list.isBanned('1.2.3.4')).toBe(false)
    expect(list.list()).toEqual([])
  })

  it('takes the default duration from init and a per-ban duration from options', () => {
    const list = new BanList({ clock: systemClock }, { defaultDurationMs: HOUR_MS })
    list.ban('1.1.1.1')
    list.ban('2.2.2.2', { durationMs: 3 * HOUR_MS })
    vi.advanceTimersByTime(2 * HOUR_MS)
    expect(list.isBanned('1.1.1.1')).toBe(false)
    expect(list.isBanned('2.2.2.2')).toBe(true)
  })

  it('matches IPv4-mapped and non-canonical IPv6 spellings of a banned address', () => {
    const list = new BanList({ clock: systemClock })
    list.ban('1.2.3.4')
    list.ban('2001:db8::1')
    expect(list.isBanned('::ffff:1.2.3.4')).toBe(true)
    expect(list.isBanned('2001:0DB8:0000::0001')).toBe(true)
    expect(list.isBanned('2001:db8::2')).toBe(false)
  })

  it('bans IPv4 and IPv6 subnets by prefix', () => {
    const list = new BanList({ clock: systemClock })
    list.ban('10.20.0.0/16')
    list.ban('2001:db8::/32')
    expect(list.isBanned('10.20.255.1')).toBe(true)
    expect(list.isBanned('::ffff:10.20.0.9')).toBe(true)
    expect(list.isBanned('10.21.0.1')).toBe(false)
    expect(list.isBanned('2001:db8:ffff::7')).toBe(true)
    expect(list.isBanned('2001:db9::7')).toBe(false)
    // An IPv6 subnet never covers IPv4 hosts and vice versa.
    list.ban('::/0')
    expect(list.isBanned('8.8.8.8')).toBe(false)
    expect(list.isBanned('2a00::1')).toBe(true)
  })

  it('reports the most specific ban covering a host', () => {
    const list = new BanList({ clock: systemClock })
    list.ban('10.0.0.0/8', { reason: 'wide' })
    list.ban('10.1.0.0/16', { reason: 'narrow' })
    expect(list.match('10.1.2.3')?.reason).toBe('narrow')
    expect(list.match('10.2.2.3')?.reason).toBe('wide')
    list.ban('10.1.2.3', { reason: 'exact' })
    expect(list.match('10.1.2.3')?.reason).toBe('exact')
  })

  it('bans onion hosts exactly and ignores non-IP hosts otherwise', () => {
    const list = new BanList({ clock: systemClock })
    list.ban(ONION)
    expect(list.isBanned(ONION)).toBe(true)
    expect(list.isBanned(`${'c'.repeat(56)}.onion`)).toBe(false)
    expect(list.isBanned('seed.example.com')).toBe(false)
  })

  it('emits changed for added, unbanned and expired bans', () => {
    const list = new BanList({ clock: systemClock }, { defaultDurationMs: HOUR_MS })
    const changes = recordChanges(list)
    const a = list.ban('1.2.3.4')
    const b = list.ban('5.6.7.0/24')
    expect(list.unban('5.6.7.0/24')).toBe(true)
    expect(list.unban('5.6.7.0/24')).toBe(false)
    vi.advanceTimersByTime(HOUR_MS)
    expect(list.isBanned('1.2.3.4')).toBe(false)
    expect(changes).toEqual([
      { type: 'added', entry: a },
      { type: 'added', entry: b },
      { type: 'removed', entry: b, expired: false },
      { type: 'removed', entry: a, expired: true }
    ])
  })

  it('unban lifts only the exact target, not a subnet containing it', () => {
    const list = new BanList({ clock: systemClock })
    list.ban('10.0.0.0/8')
    expect(list.unban('10.1.1.1')).toBe(false)
    expect(list.unban('10.9.9.9/8')).toBe(true)
    expect(list.isBanned('10.1.1.1')).toBe(false)
  })

  it('keeps a longer ban in force when a shorter one is requested, and extends a shorter one', () => {
    const list = new BanList({ clock: systemClock })
    const changes = recordChanges(list)
    const long = list.ban('1.2.3.4', { durationMs: 10 * HOUR_MS, reason: 'manual' })
    expect(list.ban('1.2.3.4', { durationMs: HOUR_MS, reason: 'auto' })).toBe(long)
    const longer = list.ban('::ffff:1.2.3.4', { durationMs: 20 * HOUR_MS, reason: 'again' })
    expect(list.list()).toEqual([longer])
    expect(changes.map((c) => c.type)).toEqual(['added', 'added'])
  })

  it('prune removes expired bans and list returns the rest, oldest first', () => {
    const list = new BanList({ clock: systemClock })
    list.ban('3.3.3.3', { durationMs: HOUR_MS })
    vi.advanceTimersByTime(1)
    list.ban('2.2.2.0/24', { durationMs: 5 * HOUR_MS })
    vi.advanceTimersByTime(1)
    list.ban('1.1.1.1', { durationMs: 5 * HOUR_MS })
    vi.advanceTimersByTime(HOUR_MS)
    expect(list.prune()).toBe(1)
    expect(list.list().map((e) => e.target)).toEqual(['2.2.2.0/24', '1.1.1.1'])
    expect(list.size).toBe(2)
    expect(list.isBanned('2.2.2.9')).toBe(true)
  })

  it('load restores stored bans silently and announces expired ones as removed', () => {
    const list = new BanList({ clock: systemClock })
    const changes = recordChanges(list)
    const live = { target: '10.0.0.0/8', reason: 'r', createdMs: 0, expiresMs: 2_000_000 }
    const dead = { target: '1.2.3.4', reason: 'r', createdMs: 0, expiresMs: 1_000_000 }
    list.load([live, dead])
    expect(list.isBanned('10.3.3.3')).toBe(true)
    expect(list.isBanned('1.2.3.4')).toBe(false)
    expect(changes).toEqual([{ type: 'removed', entry: dead, expired: true }])
    expect(() => list.load([{ ...live, target: 'nonsense' }])).toThrow(/"nonsense"/)
  })

  it('rejects bad targets and durations with BanInputError', () => {
    const list = new BanList({ clock: systemClock })
    expect(() => list.ban('1.2.3.4/40')).toThrow(expect.objectContaining({ name: 'BanInputError' }))
    expect(() => list.ban('1.2.3.4', { durationMs: 0 })).toThrow(/ban duration 0 ms/)
    expect(() => list.ban('1.2.3.4', { durationMs: Number.NaN })).toThrow(expect.objectContaining({ name: 'BanInputError' }))
    expect(() => new BanList({ clock: systemClock }, { defaultDurationMs: -1 })).toThrow(/ban duration -1 ms/)
    expect(list.size).toBe(0)
  })

  it('an IPv4 host is banned by a subnet exactly when its first prefix bits match (property)', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
    const toInt = (b: number[]): number => b.reduce((acc, x) => acc * 256 + x, 0)
    fc.assert(fc.property(ipv4, fc.integer({ min: 0, max: 32 }), ipv4, (net, prefixBits, host) => {
      const list = new BanList({ clock: systemClock })
      list.ban(`${net.join('.')}/${prefixBits}`)
      const shift = 2 ** (32 - prefixBits)
      const expected = Math.floor(toInt(net) / shift) === Math.floor(toInt(host) / shift)
      expect(list.isBanned(host.join('.'))).toBe(expected)
      // The network address itself is always inside.
      expect(list.isBanned(net.join('.'))).toBe(true)
    }))
  })
})
