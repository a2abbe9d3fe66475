import { describe, expect, it } from 'vitest'
import type { LogFields, LoggerFactory } from '../../../src/log/logger.ts'
import { tapLifecycleEvents, type LifecycleRecord } from '../../../src/sim/demo/event-tap.ts'
import { systemClock } from '../../../src/util/clock.ts'

describe('tapLifecycleEvents', () => {
  it('hands each lifecycle record over with its subsystem and time, and passes every log call on', () => {
    const records: LifecycleRecord[] = []
    const passed: Array<[string, string, LogFields | undefined]> = []
    const inner: LoggerFactory = {
      subsystem: (name) => ({
        trace: (m, f) => { passed.push([name, m, f]) },
        debug: (m, f) => { passed.push([name, m, f]) },
        info: (m, f) => { passed.push([name, m, f]) },
        warn: (m, f) => { passed.push([name, m, f]) },
        error: (m, f) => { passed.push([name, m, f]) },
        event: (e, f) => { passed.push([name, e, f]) }
      })
    }
    const clock = { ...systemClock, now: () => 1234 }
    const log = tapLifecycleEvents((r) => { records.push(r) }, clock, inner).subsystem('CMGR')
    log.info('hello')
    log.event('outbound_connected', { addr: '127.2.0.1:1' }, 'Connected')
    expect(records).toEqual([{ atMs: 1234, subsystem: 'CMGR', event: 'outbound_connected', fields: { addr: '127.2.0.1:1' }, message: 'Connected' }])
    expect(passed).toEqual([['CMGR', 'hello', undefined], ['CMGR', 'outbound_connected', { addr: '127.2.0.1:1' }]])
  })
})
