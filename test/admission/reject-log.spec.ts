import { describe, expect, it } from 'vitest'
import { DEFAULT_REJECT_LOG_BURST, DEFAULT_REJECT_LOG_INTERVAL_MS, RejectLog, type RejectLogLine } from '../../src/admission/reject-log.ts'
import { INBOUND_REJECT_REASONS } from '../../src/admission/reasons.ts'

const T0 = 1_700_000_000_000

describe('RejectLog', () => {
  it('logs the first rejections one by one, then one line per interval carrying the counts by reason', () => {
    const log = new RejectLog({ burst: 2, intervalMs: 1_000 })
    expect(log.record('per_ip_limit', '1.1.1.1:5', T0)).toEqual({ kind: 'rejection', reason: 'per_ip_limit', remote: '1.1.1.1:5', suppressed: undefined })
    expect(log.record('rate', '1.1.1.1:6', T0 + 1)?.kind).toBe('rejection')
    expect(log.record('rate', '1.1.1.1:7', T0 + 2)).toBeUndefined()
    expect(log.record('rate', '1.1.1.1:8', T0 + 3)).toBeUndefined()
    expect(log.record('pending_limit', '2.2.2.2:1', T0 + 500)).toBeUndefined()
    expect(log.record('rate', '1.1.1.1:9', T0 + 1 + 999)).toBeUndefined() // the interval counts from the last line
    expect(log.record('denied', '3.3.3.3:1', T0 + 1 + 1_000)).toEqual({
      kind: 'rejection',
      reason: 'denied',
      remote: '3.3.3.3:1',
      suppressed: { total: 4, byKey: { rate: 3, pending_limit: 1 }, firstMs: T0 + 2, lastMs: T0 + 1_000 }
    })
    expect(log.record('rate', '1.1.1.1:10', T0 + 1_002)).toBeUndefined() // the burst is spent for good (btcd's behaviour)
  })

  it('writes a bounded number of lines under a 2,000/s flood, and every rejection is accounted for', () => {
    const log = new RejectLog()
    const lines: RejectLogLine[] = []
    const floodMs = 60_000
    for (let i = 0; i < floodMs * 2; i++) { // one every 0.5 ms
      const nowMs = T0 + i / 2
      const line = log.record(i % 3 === 0 ? 'per_ip_limit' : 'rate', `10.0.${i & 0xff}.1:8333`, nowMs)
      if (line !== undefined) lines.push(line)
      if (i % 2_000 === 0) { // the shell's 1 s timer
        const summary = log.flush(nowMs)
        if (summary !== undefined) lines.push(summary)
      }
    }
    const tail = log.flush(T0 + floodMs + DEFAULT_REJECT_LOG_INTERVAL_MS)
    if (tail !== undefined) lines.push(tail)
    expect(lines.length).toBeLessThanOrEqual(DEFAULT_REJECT_LOG_BURST + floodMs / DEFAULT_REJECT_LOG_INTERVAL_MS + 1)
    const accounted = lines.reduce((n, line) => n + (line.kind === 'rejection' ? 1 : 0) + (line.suppressed?.total ?? 0), 0)
    expect(accounted).toBe(floodMs * 2)
    const byReason = lines.reduce((acc, line) => acc + (line.suppressed?.byKey.per_ip_limit ?? 0) + (line.kind === 'rejection' && line.reason === 'per_ip_limit' ? 1 : 0), 0)
    expect(byReason).toBe(Math.ceil(floodMs * 2 / 3))
  })

  it('flush reports what was held back once an interval has passed, and nothing otherwise', () => {
    const log = new RejectLog({ burst: 1, intervalMs: 1_000 })
    expect(log.flush(T0)).toBeUndefined()
    log.record('banned', 'a', T0)
    log.record('banned', 'b', T0 + 10)
    log.record('slots_full', 'c', T0 + 20)
    expect(log.flush(T0 + 999)).toBeUndefined()
    expect(log.flush(T0 + 1_000)).toEqual({ kind: 'summary', suppressed: { total: 2, byKey: { banned: 1, slots_full: 1 }, firstMs: T0 + 10, lastMs: T0 + 20 } })
    expect(log.flush(T0 + 5_000)).toBeUndefined() // nothing new
    expect(log.record('banned', 'd', T0 + 1_500)).toBeUndefined() // the flush counted as a line
    expect(log.record('banned', 'e', T0 + 2_000)?.suppressed).toEqual({ total: 1, byKey: { banned: 1 }, firstMs: T0 + 1_500, lastMs: T0 + 1_500 })
  })

  it('names the fixed reason set of the inbound_rejected event', () => {
    expect([...INBOUND_REJECT_REASONS].sort()).toEqual(['banned', 'denied', 'pending_limit', 'per_group_limit', 'per_ip_limit', 'rate', 'slots_full'])
  })
})
