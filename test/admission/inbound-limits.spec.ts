import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AdmissionInputError } from '../../src/admission/errors.ts'
import {
  DEFAULT_INBOUND_LIMITS, InboundAdmission, RATE_WINDOW_MS, type InboundAdmissionInit, type InboundTicket
} from '../../src/admission/inbound-limits.ts'
import { manualClock } from '../helpers/manual-clock.ts'

const NO_LIMIT = { maxInboundPerIp: Infinity, maxInboundPerGroup: Infinity, inboundRatePerSecond: Infinity, maxPendingInbound: Infinity }

function setup (init: InboundAdmissionInit = {}): { admission: InboundAdmission, clock: ReturnType<typeof manualClock> } {
  const clock = manualClock()
  return { admission: new InboundAdmission({ clock }, { ...NO_LIMIT, ...init }), clock }
}

/** Admits while check() allows; returns the tickets and the first refusal reason. */
function fill (admission: InboundAdmission, ip: string, group: string, max = 1000): { tickets: InboundTicket[], refusal: string | undefined } {
  const tickets: InboundTicket[] = []
  for (let i = 0; i < max; i++) {
    const decision = admission.check(ip, group)
    if (!decision.allow) return { tickets, refusal: decision.reason }
    tickets.push(admission.admit(ip, group))
  }
  return { tickets, refusal: undefined }
}

describe('InboundAdmission', () => {
  it('has the documented defaults', () => {
    const admission = new InboundAdmission({ clock: manualClock() })
    expect(admission.limits).toEqual({ maxInboundPerIp: 3, maxInboundPerGroup: 10, inboundRatePerSecond: 3, maxPendingInbound: 32 })
    expect(admission.limits).toEqual(DEFAULT_INBOUND_LIMITS)
  })

  describe('per IP', () => {
    it('admits exactly maxInboundPerIp from one IP, then refuses with per_ip_limit; other IPs are unaffected', () => {
      const { admission } = setup({ maxInboundPerIp: 2 })
      const { tickets, refusal } = fill(admission, '203.0.113.5', 'g')
      expect(tickets).toHaveLength(2)
      expect(refusal).toBe('per_ip_limit')
      expect(admission.countForIp('203.0.113.5')).toBe(2)
      expect(admission.check('203.0.113.6', 'g')).toEqual({ allow: true })
    })

    it('frees the slot on release, and release is idempotent', () => {
      const { admission } = setup({ maxInboundPerIp: 1 })
      const [ticket] = fill(admission, '1.2.3.4', 'g').tickets
      ticket?.release()
      ticket?.release()
      expect(admission.countForIp('1.2.3.4')).toBe(0)
      expect(admission.check('1.2.3.4', 'g').allow).toBe(true)
      const second = admission.admit('1.2.3.4', 'g')
      ticket?.release() // a stale ticket must not free the new connection's slot
      expect(admission.countForIp('1.2.3.4')).toBe(1)
      expect(admission.check('1.2.3.4', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
      second.release()
    })

    it('counts IPv4, IPv4-mapped IPv6 and any IPv6 spelling of one address as one IP', () => {
      const { admission } = setup({ maxInboundPerIp: 3 })
      const a = admission.admit('198.51.100.7', 'g')
      admission.admit('::ffff:198.51.100.7', 'g')
      admission.admit('::FFFF:c633:6407', 'g')
      expect(a.ip).toBe('198.51.100.7')
      expect(admission.countForIp('198.51.100.7')).toBe(3)
      expect(admission.check('::ffff:198.51.100.7', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
      admission.admit('2001:DB8:0:0:0:0:0:1', 'h')
      expect(admission.countForIp('2001:db8::1')).toBe(1)
      expect(admission.countForIp('2001:0db8::0001')).toBe(1)
      a.release()
      expect(admission.countForIp('::ffff:198.51.100.7')).toBe(2)
    })

    it('counts pending and established connections alike', () => {
      const { admission } = setup({ maxInboundPerIp: 2 })
      admission.admit('1.2.3.4', 'g').established()
      admission.admit('1.2.3.4', 'g')
      expect(admission.check('1.2.3.4', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
    })
  })

  describe('per group', () => {
    it('admits exactly maxInboundPerGroup across IPs of one group, then per_group_limit; other groups are unaffected', () => {
      const { admission } = setup({ maxInboundPerGroup: 3 })
      for (let i = 1; i <= 3; i++) {
        expect(admission.check(`10.7.0.${i}`, '10.7.0.0/16').allow).toBe(true)
        admission.admit(`10.7.0.${i}`, '10.7.0.0/16')
      }
      expect(admission.countForGroup('10.7.0.0/16')).toBe(3)
      expect(admission.check('10.7.9.9', '10.7.0.0/16')).toEqual({ allow: false, reason: 'per_group_limit' })
      expect(admission.check('10.8.0.1', '10.8.0.0/16').allow).toBe(true)
    })
  })

  describe('pending', () => {
    it('refuses with pending_limit once maxPendingInbound have not finished their handshake', () => {
      const { admission } = setup({ maxPendingInbound: 2 })
      const a = admission.admit('1.0.0.1', 'a')
      admission.admit('1.0.0.2', 'b')
      expect(admission.pending).toBe(2)
      expect(admission.check('1.0.0.3', 'c')).toEqual({ allow: false, reason: 'pending_limit' })
      a.established()
      expect(admission.pending).toBe(1)
      expect(admission.check('1.0.0.3', 'c').allow).toBe(true)
    })

    it('established() moves the count once; release after it does not touch pending again', () => {
      const { admission } = setup()
      const a = admission.admit('1.0.0.1', 'a')
      const b = admission.admit('1.0.0.2', 'a')
      a.established()
      a.established()
      expect(admission.pending).toBe(1)
      a.release()
      expect(admission.pending).toBe(1)
      b.release()
      b.established() // after release: nothing
      expect(admission.pending).toBe(0)
      expect(admission.countForGroup('a')).toBe(0)
    })
  })

  describe('rate', () => {
    it('admits inboundRatePerSecond from one IP in a window, refuses until it ends, and the window edge is exact', () => {
      const { admission, clock } = setup({ inboundRatePerSecond: 3 })
      const start = clock.now()
      for (let i = 0; i < 3; i++) {
        expect(admission.check('9.9.9.9', 'g').allow).toBe(true)
        admission.admit('9.9.9.9', 'g').release() // closes at once: only the rate holds it back
        clock.advance(100)
      }
      expect(admission.check('9.9.9.9', 'g')).toEqual({ allow: false, reason: 'rate' })
      expect(admission.check('9.9.9.8', 'g').allow).toBe(true)
      clock.set(start + RATE_WINDOW_MS - 1)
      expect(admission.check('::ffff:9.9.9.9', 'g')).toEqual({ allow: false, reason: 'rate' })
      clock.set(start + RATE_WINDOW_MS)
      expect(admission.check('9.9.9.9', 'g')).toEqual({ allow: true })
      admission.admit('9.9.9.9', 'g') // a fresh window starts here
      clock.advance(RATE_WINDOW_MS - 1)
      expect(fill(admission, '9.9.9.9', 'g').tickets).toHaveLength(2)
    })

    it('keeps memory bounded under a many-IP flood: expired windows go, and at most maxRateEntries are held', () => {
      const { admission, clock } = setup({ maxRateEntries: 500 })
      let most = 0
      for (let i = 0; i < 20_000; i++) {
        admission.admit(`10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`, 'g').release()
        most = Math.max(most, admission.rateEntries)
        if (i % 100 === 99) clock.advance(100) // 1,000 new IPs a second, twice the cap
      }
      expect(most).toBe(500)
      expect(admission.rateEntries).toBe(500)
      clock.advance(RATE_WINDOW_MS)
      admission.admit('192.0.2.1', 'g').release()
      expect(admission.rateEntries).toBe(1) // every older window had expired
      expect(admission.countForGroup('g')).toBe(0)
    })

    it('survives the clock going back: a window from the future still counts, and both expire in time', () => {
      const { admission, clock } = setup({ inboundRatePerSecond: 1 })
      const start = clock.now()
      admission.admit('1.1.1.1', 'g').release()
      clock.set(start - 5_000)
      expect(admission.check('1.1.1.1', 'g')).toEqual({ allow: false, reason: 'rate' })
      admission.admit('2.2.2.2', 'g').release()
      clock.set(start + RATE_WINDOW_MS)
      expect(admission.check('1.1.1.1', 'g').allow).toBe(true)
      admission.admit('3.3.3.3', 'g').release()
      expect(admission.rateEntries).toBe(1)
    })

    it('evicting the oldest window under the cap lets that IP in early, and nobody else', () => {
      const { admission, clock } = setup({ maxRateEntries: 2, inboundRatePerSecond: 1 })
      admission.admit('1.1.1.1', 'g').release()
      clock.advance(10)
      admission.admit('2.2.2.2', 'g').release()
      admission.admit('3.3.3.3', 'g').release() // evicts 1.1.1.1's window
      expect(admission.check('1.1.1.1', 'g').allow).toBe(true)
      expect(admission.check('2.2.2.2', 'g')).toEqual({ allow: false, reason: 'rate' })
      expect(admission.check('3.3.3.3', 'g')).toEqual({ allow: false, reason: 'rate' })
    })
  })

  it('reports in precedence order: per_ip_limit, rate, per_group_limit, pending_limit', () => {
    const { admission } = setup({ maxInboundPerIp: 1, inboundRatePerSecond: 1, maxInboundPerGroup: 1, maxPendingInbound: 1 })
    admission.admit('1.1.1.1', 'g')
    expect(admission.check('1.1.1.1', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
    admission.setLimits({ maxInboundPerIp: 5 })
    expect(admission.check('1.1.1.1', 'g')).toEqual({ allow: false, reason: 'rate' })
    expect(admission.check('1.1.1.2', 'g')).toEqual({ allow: false, reason: 'per_group_limit' })
    expect(admission.check('1.1.1.2', 'h')).toEqual({ allow: false, reason: 'pending_limit' })
  })

  it('lets an exempt (nolimit) connection past every limit, and still counts it', () => {
    const { admission } = setup({ maxInboundPerIp: 0, maxInboundPerGroup: 0, inboundRatePerSecond: 0, maxPendingInbound: 0 })
    expect(admission.check('1.1.1.1', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
    expect(admission.check('1.1.1.1', 'g', true)).toEqual({ allow: true })
    admission.admit('1.1.1.1', 'g')
    expect(admission.pending).toBe(1)
    expect(admission.countForIp('1.1.1.1')).toBe(1)
  })

  describe('setLimits', () => {
    it('applies to later checks only: lowering closes nothing and the count stays above the new limit', () => {
      const { admission } = setup({ maxInboundPerIp: 5 })
      const { tickets } = fill(admission, '5.5.5.5', 'g', 4)
      admission.setLimits({ maxInboundPerIp: 2 })
      expect(admission.countForIp('5.5.5.5')).toBe(4)
      expect(admission.check('5.5.5.5', 'g')).toEqual({ allow: false, reason: 'per_ip_limit' })
      tickets[0]?.release()
      tickets[1]?.release()
      expect(admission.check('5.5.5.5', 'g').allow).toBe(false) // 2 open = the new limit
      tickets[2]?.release()
      expect(admission.check('5.5.5.5', 'g').allow).toBe(true)
      admission.setLimits({ maxInboundPerIp: 10 })
      expect(fill(admission, '5.5.5.5', 'g').tickets).toHaveLength(9)
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
      expect(() => new InboundAdmission({ clock: manualClock() }, { maxRateEntries: 0 })).toThrow(AdmissionInputError)
    })
  })

  it('property: counts never go negative and equal the open tickets, whatever the order of calls', () => {
    const ips = ['1.1.1.1', '::ffff:1.1.1.1', '2.2.2.2', '2001:DB8:0::2']
    const canonical = ['1.1.1.1', '1.1.1.1', '2.2.2.2', '2001:db8::2']
    const op = fc.oneof(
      fc.record({ kind: fc.constant('admit' as const), ip: fc.integer({ min: 0, max: 3 }), group: fc.constantFrom('a', 'b') }),
      fc.record({ kind: fc.constantFrom('established' as const, 'release' as const), index: fc.nat() }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 700 }) })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const { admission, clock } = setup({ maxInboundPerIp: 2, maxInboundPerGroup: 3, inboundRatePerSecond: 2, maxPendingInbound: 2 })
      const tickets: Array<{ ticket: InboundTicket, state: 'pending' | 'established' | 'released' }> = []
      for (const o of ops) {
        if (o.kind === 'admit') {
          tickets.push({ ticket: admission.admit(ips[o.ip] ?? '', o.group), state: 'pending' })
        } else if (o.kind === 'tick') {
          clock.advance(o.ms)
        } else if (tickets.length > 0) {
          const t = tickets[o.index % tickets.length]
          if (t === undefined) continue
          if (o.kind === 'established') {
            t.ticket.established()
            if (t.state === 'pending') t.state = 'established'
          } else {
            t.ticket.release()
            t.state = 'released'
          }
        }
        const open = tickets.filter((t) => t.state !== 'released')
        expect(admission.pending).toBe(open.filter((t) => t.state === 'pending').length)
        ips.forEach((ip, i) => { expect(admission.countForIp(ip)).toBe(open.filter((t) => t.ticket.ip === canonical[i]).length) })
        for (const group of ['a', 'b']) expect(admission.countForGroup(group)).toBe(open.filter((t) => t.ticket.group === group).length)
        expect(admission.pending).toBeGreaterThanOrEqual(0)
      }
    }))
  })
})
