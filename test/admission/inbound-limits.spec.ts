import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AdmissionInputError } from '../../src/admission/errors.ts'
import { DEFAULT_INBOUND_LIMITS, InboundAdmission, RATE_WINDOW_MS, type InboundAdmissionInit } from '../../src/admission/inbound-limits.ts'
import { toNetAddress } from '../../src/netaddr/netaddress.ts'
import type { HandshakeInfo } from '../../src/peer/types.ts'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import { manualClock } from '../helpers/manual-clock.ts'

const NO_LIMIT = { maxInboundPerIp: Infinity, maxInboundPerGroup: Infinity, inboundRatePerSecond: Infinity, maxPendingInbound: Infinity }

/** One inbound connection as the node holds it: registered in the registry, the rate window charged. */
interface Conn { established(): void, release(): void }

interface Setup {
  admission: InboundAdmission
  clock: ReturnType<typeof manualClock>
  registry: ConnectionRegistry
  /** What the gater does on an allowed socket: charge the rate, register the connection (pending). */
  open(ip: string, group: string): Conn
  /** Opens while check() allows; returns the connections and the first refusal reason. */
  fill(ip: string, group: string, max?: number): { conns: Conn[], refusal: string | undefined }
}

/** The admission over a real connection registry: the registry counts what is open, admission decides. */
function setup (init: InboundAdmissionInit = {}): Setup {
  const clock = manualClock()
  const registry = new ConnectionRegistry()
  const admission = new InboundAdmission({ clock, counts: registry }, { ...NO_LIMIT, ...init })
  let port = 1000
  const open = (ip: string, group: string): Conn => {
    admission.admit(ip)
    const addr = toNetAddress(ip, port++)
    if (addr === undefined) throw new Error(`bad test ip ${ip}`)
    const { id } = registry.add({ kind: 'inbound', addr, group, nowMs: clock.now(), session: { close: () => {} } })
    const info = { id, addr, direction: 'inbound' } as unknown as HandshakeInfo
    return { established: () => { registry.established(id, info, clock.now()) }, release: () => { registry.remove(id) } }
  }
  const fill = (ip: string, group: string, max = 1000): { conns: Conn[], refusal: string | undefined } => {
    const conns: Conn[] = []
    for (let i = 0; i < max; i++) {
      const decision = admission.check(ip, group)
      if (!decision.allow) return { conns, refusal: decision.reason }
      conns.push(open(ip, group))
    }
    return { conns, refusal: undefined }
  }
  return { admission, clock, registry, open, fill }
}

describe('InboundAdmission', () => {
  it('has the documented defaults', () => {
    const admission = new InboundAdmission({ clock: manualClock(), counts: new ConnectionRegistry() })
    expect(admission.limits).toEqual({ maxInboundPerIp: 3, maxInboundPerGroup: 10, inboundRatePerSecond: 3, maxPendingInbound: 32 })
    expect(admission.limits).toEqual(DEFAULT_INBOUND_LIMITS)
  })

  describe('per IP', () => {
    it('admits exactly maxInboundPerIp from one IP, then refuses with per_ip_limit; other IPs are unaffected', () => {
      const { admission, fill, registry } = setup({ maxInboundPerIp: 2 })
      const { conns, refusal } = fill('203.0.113.5', 'g')
      expect(conns).toHaveLength(2)
      expect(refusal).toBe('per_ip_limit')
      expect(registry.inboundFromHost('203.0.113.5')).toBe(2)
      expect(admission.check('203.0.113.6', 'g')).toEqual({ allow: true })
    })

    it('frees the slot when the connection closes', () => {
      const { admission, fill, open } = setup({ maxInboundPerIp: 1 })
      const [conn] = fill('1.2.3.4', 'g').conns
      expect(admission.check('1.2.3.4', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
      conn?.release()
      expect(admission.check('1.2.3.4', 'g').allow).toBe(true)
      open('1.2.3.4', 'g')
      conn?.release() // closing twice must not free the new connection's slot
      expect(admission.check('1.2.3.4', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
    })

    it('counts IPv4, IPv4-mapped IPv6 and any IPv6 spelling of one address as one IP', () => {
      const { admission, open } = setup({ maxInboundPerIp: 3 })
      const a = open('198.51.100.7', 'g')
      open('::ffff:198.51.100.7', 'g')
      expect(admission.check('::FFFF:c633:6407', 'g').allow).toBe(true)
      open('::FFFF:c633:6407', 'g')
      expect(admission.check('198.51.100.7', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
      expect(admission.check('::ffff:198.51.100.7', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
      a.release()
      expect(admission.check('::ffff:198.51.100.7', 'g').allow).toBe(true)
      open('2001:DB8:0:0:0:0:0:1', 'h')
      admission.setLimits({ maxInboundPerIp: 1 })
      expect(admission.check('2001:0db8::0001', 'h')).toEqual({ allow: false, reason: 'per_ip_limit' })
      expect(admission.check('2001:db8::2', 'h').allow).toBe(true)
    })

    it('counts pending and established connections alike', () => {
      const { admission, open } = setup({ maxInboundPerIp: 2 })
      open('1.2.3.4', 'g').established()
      open('1.2.3.4', 'g')
      expect(admission.check('1.2.3.4', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
    })
  })

  describe('per group', () => {
    it('admits exactly maxInboundPerGroup across IPs of one group, then per_group_limit; other groups are unaffected', () => {
      const { admission, open } = setup({ maxInboundPerGroup: 3 })
      for (let i = 1; i <= 3; i++) {
        expect(admission.check(`10.7.0.${i}`, '10.7.0.0/16').allow).toBe(true)
        open(`10.7.0.${i}`, '10.7.0.0/16')
      }
      expect(admission.check('10.7.9.9', '10.7.0.0/16')).toEqual({ allow: false, reason: 'per_group_limit' })
      expect(admission.check('10.8.0.1', '10.8.0.0/16').allow).toBe(true)
    })
  })

  describe('pending', () => {
    it('refuses with pending_limit once maxPendingInbound have not finished their handshake; established moves the count', () => {
      const { admission, open, registry } = setup({ maxPendingInbound: 2 })
      const a = open('1.0.0.1', 'a')
      const b = open('1.0.0.2', 'b')
      expect(registry.pendingInbound()).toBe(2)
      expect(admission.check('1.0.0.3', 'c')).toEqual({ allow: false, reason: 'pending_limit' })
      a.established()
      a.established() // once only
      expect(registry.pendingInbound()).toBe(1)
      expect(admission.check('1.0.0.3', 'c').allow).toBe(true)
      a.release()
      expect(registry.pendingInbound()).toBe(1) // an established connection's close leaves pending alone
      b.release()
      expect(registry.pendingInbound()).toBe(0)
    })
  })

  describe('rate', () => {
    it('admits inboundRatePerSecond from one IP in a window, refuses until it ends, and the window edge is exact', () => {
      const { admission, clock, open, fill } = setup({ inboundRatePerSecond: 3 })
      const start = clock.now()
      for (let i = 0; i < 3; i++) {
        expect(admission.check('9.9.9.9', 'g').allow).toBe(true)
        open('9.9.9.9', 'g').release() // closes at once: only the rate holds it back
        clock.advance(100)
      }
      expect(admission.check('9.9.9.9', 'g')).toEqual({ allow: false, reason: 'rate' })
      expect(admission.check('9.9.9.8', 'g').allow).toBe(true)
      clock.set(start + RATE_WINDOW_MS - 1)
      expect(admission.check('::ffff:9.9.9.9', 'g')).toEqual({ allow: false, reason: 'rate' })
      clock.set(start + RATE_WINDOW_MS)
      expect(admission.check('9.9.9.9', 'g')).toEqual({ allow: true })
      open('9.9.9.9', 'g').release() // a fresh window starts here
      clock.advance(RATE_WINDOW_MS - 1)
      expect(fill('9.9.9.9', 'g').conns).toHaveLength(2)
    })

    it('does not charge refused attempts: a refused flood does not keep its window open', () => {
      const { admission, clock, open } = setup({ inboundRatePerSecond: 1 })
      const start = clock.now()
      open('9.9.9.9', 'g').release()
      for (let t = 0; t < RATE_WINDOW_MS; t += 10) {
        clock.set(start + t)
        expect(admission.check('9.9.9.9', 'g').allow).toBe(false)
      }
      clock.set(start + RATE_WINDOW_MS)
      expect(admission.check('9.9.9.9', 'g').allow).toBe(true)
    })

    it('keeps memory bounded under a many-IP flood: expired windows go, and at most maxRateEntries are held', () => {
      const { admission, clock } = setup({ maxRateEntries: 500 })
      let most = 0
      for (let i = 0; i < 20_000; i++) {
        admission.admit(`10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`)
        most = Math.max(most, admission.rateEntries)
        if (i % 100 === 99) clock.advance(100) // 1,000 new IPs a second, twice the cap
      }
      expect(most).toBe(500)
      expect(admission.rateEntries).toBe(500)
      clock.advance(RATE_WINDOW_MS)
      admission.admit('192.0.2.1')
      expect(admission.rateEntries).toBe(1) // every older window had expired
    })

    it('survives the clock going back: a window from the future still counts, and both expire in time', () => {
      const { admission, clock } = setup({ inboundRatePerSecond: 1 })
      const start = clock.now()
      admission.admit('1.1.1.1')
      clock.set(start - 5_000)
      expect(admission.check('1.1.1.1', 'g')).toEqual({ allow: false, reason: 'rate' })
      admission.admit('2.2.2.2')
      clock.set(start + RATE_WINDOW_MS)
      expect(admission.check('1.1.1.1', 'g').allow).toBe(true)
      admission.admit('3.3.3.3')
      expect(admission.rateEntries).toBe(1)
    })

    it('evicting the oldest window under the cap lets that IP in early, and nobody else', () => {
      const { admission, clock } = setup({ maxRateEntries: 2, inboundRatePerSecond: 1 })
      admission.admit('1.1.1.1')
      clock.advance(10)
      admission.admit('2.2.2.2')
      admission.admit('3.3.3.3') // evicts 1.1.1.1's window
      expect(admission.check('1.1.1.1', 'g').allow).toBe(true)
      expect(admission.check('2.2.2.2', 'g')).toEqual({ allow: false, reason: 'rate' })
      expect(admission.check('3.3.3.3', 'g')).toEqual({ allow: false, reason: 'rate' })
    })
  })

  it('reports in precedence order: per_ip_limit, rate, per_group_limit, pending_limit', () => {
    const { admission, open } = setup({ maxInboundPerIp: 1, inboundRatePerSecond: 1, maxInboundPerGroup: 1, maxPendingInbound: 1 })
    open('1.1.1.1', 'g')
    expect(admission.check('1.1.1.1', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
    admission.setLimits({ maxInboundPerIp: 5 })
    expect(admission.check('1.1.1.1', 'g')).toEqual({ allow: false, reason: 'rate' })
    expect(admission.check('1.1.1.2', 'g')).toEqual({ allow: false, reason: 'per_group_limit' })
    expect(admission.check('1.1.1.2', 'h')).toEqual({ allow: false, reason: 'pending_limit' })
  })

  it('lets an exempt (nolimit) connection past every limit; the registry still counts it', () => {
    const { admission, open, registry } = setup({ maxInboundPerIp: 0, maxInboundPerGroup: 0, inboundRatePerSecond: 0, maxPendingInbound: 0 })
    expect(admission.check('1.1.1.1', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
    expect(admission.check('1.1.1.1', 'g', true)).toEqual({ allow: true })
    open('1.1.1.1', 'g')
    expect(registry.pendingInbound()).toBe(1)
    expect(registry.inboundFromHost('1.1.1.1')).toBe(1)
  })

  describe('setLimits', () => {
    it('applies to later checks only: lowering closes nothing and the count stays above the new limit', () => {
      const { admission, fill, clock, registry } = setup({ maxInboundPerIp: 5 })
      const { conns } = fill('5.5.5.5', 'g', 4)
      admission.setLimits({ maxInboundPerIp: 2 })
      expect(registry.inboundFromHost('5.5.5.5')).toBe(4)
      expect(admission.check('5.5.5.5', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
      conns[0]?.release()
      conns[1]?.release()
      expect(admission.check('5.5.5.5', 'g').allow).toBe(false) // 2 open = the new limit
      conns[2]?.release()
      expect(admission.check('5.5.5.5', 'g').allow).toBe(true)
      admission.setLimits({ maxInboundPerIp: 10 })
      clock.advance(RATE_WINDOW_MS)
      expect(fill('5.5.5.5', 'g').conns).toHaveLength(9)
    })

    it('keeps limits it is not given, and ignores undefined fields', () => {
      const { admission } = setup({ maxInboundPerIp: 4, maxPendingInbound: 7 })
      admission.setLimits({ maxInboundPerGroup: 9, maxPendingInbound: undefined })
      expect(admission.limits).toMatchObject({ maxInboundPerIp: 4, maxInboundPerGroup: 9, maxPendingInbound: 7 })
    })

    it('refuses a limit that is not a whole number >= 0 or Infinity, naming it, and keeps the old ones', () => {
      const { admission } = setup({ maxInboundPerIp: 4 })
      for (const bad of [-1, 1.5, NaN, -Infinity]) {
        expect(() => { admission.setLimits({ maxInboundPerIp: bad }) }).toThrow(AdmissionInputError)
      }
      expect(() => { admission.setLimits({ inboundRatePerSecond: -2 }) }).toThrow('inboundRatePerSecond must be a whole number >= 0 or Infinity, got -2')
      expect(admission.limits.maxInboundPerIp).toBe(4)
      expect(() => new InboundAdmission({ clock: manualClock(), counts: new ConnectionRegistry() }, { maxRateEntries: 0 })).toThrow(AdmissionInputError)
    })
  })

  it('property: a check admits exactly when every count the registry holds is under its limit', () => {
    const ips = ['1.1.1.1', '::ffff:1.1.1.1', '2.2.2.2', '2001:DB8:0::2']
    const canonical = ['1.1.1.1', '1.1.1.1', '2.2.2.2', '2001:db8::2']
    const op = fc.oneof(
      fc.record({ kind: fc.constant('open' as const), ip: fc.integer({ min: 0, max: 3 }), group: fc.constantFrom('a', 'b') }),
      fc.record({ kind: fc.constantFrom('established' as const, 'release' as const), index: fc.nat() })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const { admission, open, registry } = setup({ maxInboundPerIp: 2, maxInboundPerGroup: 3, maxPendingInbound: 2 })
      const conns: Array<{ conn: Conn, ip: string, group: string, state: 'pending' | 'established' | 'released' }> = []
      for (const o of ops) {
        if (o.kind === 'open') {
          conns.push({ conn: open(ips[o.ip] ?? '', o.group), ip: canonical[o.ip] ?? '', group: o.group, state: 'pending' })
        } else if (conns.length > 0) {
          const c = conns[o.index % conns.length]
          if (c === undefined) continue
          if (o.kind === 'established') {
            c.conn.established()
            if (c.state === 'pending') c.state = 'established'
          } else {
            c.conn.release()
            c.state = 'released'
          }
        }
        const live = conns.filter((c) => c.state !== 'released')
        const pending = live.filter((c) => c.state === 'pending').length
        expect(registry.pendingInbound()).toBe(pending)
        ips.forEach((ip, i) => {
          for (const group of ['a', 'b']) {
            const fits = live.filter((c) => c.ip === canonical[i]).length < 2 && live.filter((c) => c.group === group).length < 3 && pending < 2
            expect(admission.check(ip, group).allow).toBe(fits)
          }
        })
      }
    }))
  })
})
