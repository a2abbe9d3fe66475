import { describe, expect, it } from 'vitest'
import type { NodeEvents } from '../../src/node/events.ts'
import { StatusTracker } from '../../src/status/tracker.ts'
import { EventBus } from '../../src/util/event-bus.ts'
import { manualClock } from '../helpers/manual-clock.ts'

describe('StatusTracker', () => {
  it('counts every inbound rejection by reason, but keeps a flood out of the recent events', () => {
    const events = new EventBus<NodeEvents>()
    const tracker = new StatusTracker({ clock: manualClock(), events, counts: () => ({ outbound: 0, inbound: 0 }) })
    for (let i = 0; i < 1000; i++) {
      events.emit('inbound_rejected', { addr: `127.50.0.${i % 250}:1`, direction: 'inbound', reason: i % 2 === 0 ? 'per_ip_limit' : 'rate', rejected: i + 1 })
    }
    events.emit('anchor_dial', { addr: '127.1.0.1:1' })
    expect(tracker.rejections()).toEqual({ per_ip_limit: 500, rate: 500 })
    expect(tracker.recentEvents().map((e) => e.event)).toEqual(['anchor_dial'])
  })

  it('lists a returning peer\'s redial beside the permanent peers\' retries, and drops it when its claim ends', () => {
    const events = new EventBus<NodeEvents>()
    const clock = manualClock()
    const tracker = new StatusTracker({ clock, events, counts: () => ({ outbound: 0, inbound: 0 }) })
    events.emit('retry_scheduled', { addr: '127.1.0.1:1', id: 1, permanent: true, retryCount: 1, delayMs: 5_000 })
    events.emit('retry_scheduled', { addr: '127.1.0.2:1', id: 2, permanent: false, returning: true, retryCount: 2, delayMs: 10_000 })
    events.emit('retry_scheduled', { addr: '127.1.0.3:1', id: 3, permanent: false, retryCount: 1, delayMs: 5_000 })
    expect(tracker.retries().map((r) => [r.addr, r.reason])).toEqual([['127.1.0.1:1', 'dial failed'], ['127.1.0.2:1', 'left, slot kept for its return']])
    events.emit('request_canceled', { addr: '127.1.0.2:1', id: 2, permanent: false, reason: 'return_expired' })
    expect(tracker.retries().map((r) => r.addr)).toEqual(['127.1.0.1:1'])
  })
})
