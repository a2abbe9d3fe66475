import { describe, expect, it } from 'vitest'
import type { NodeEvents } from '../../../src/node/events.ts'
import { tapNodeEvents, type LifecycleRecord } from '../../../src/sim/demo/event-tap.ts'
import { systemClock } from '../../../src/util/clock.ts'
import { EventBus } from '../../../src/util/event-bus.ts'

describe('tapNodeEvents', () => {
  it('hands each node event over with its subsystem and time, until unsubscribed', () => {
    const records: LifecycleRecord[] = []
    const bus = new EventBus<NodeEvents>()
    const clock = { ...systemClock, now: () => 1234 }
    const stop = tapNodeEvents(bus, clock, (r) => { records.push(r) })
    bus.emit('outbound_connected', { addr: '127.2.0.1:1', id: 3, permanent: false })
    bus.emit('seed_answered', { seed: 'seed.test', queried: 'seed.test', count: 2, answered: 2 })
    stop()
    bus.emit('anchor_dial', { addr: '127.3.0.1:1' })
    expect(records).toEqual([
      { atMs: 1234, subsystem: 'CMGR', event: 'outbound_connected', fields: { addr: '127.2.0.1:1', id: 3, permanent: false } },
      { atMs: 1234, subsystem: 'SEED', event: 'seed_answered', fields: { seed: 'seed.test', queried: 'seed.test', count: 2, answered: 2 } }
    ])
  })
})
