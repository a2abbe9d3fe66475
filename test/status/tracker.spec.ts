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
})
