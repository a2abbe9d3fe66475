import { describe, expect, it } from 'vitest'
import type { Logger, LogLevel } from '../../src/log/logger.ts'
import { createWinstonLogging } from '../../src/log/winston.ts'
import { logEvents } from '../../src/node/event-log.ts'
import type { NodeEvents } from '../../src/node/events.ts'
import { EventBus } from '../../src/util/event-bus.ts'

describe('logEvents', () => {
  it('writes an event only when its level is enabled, so a flood of trace events builds no records', () => {
    const written: string[] = []
    const logger = (threshold: LogLevel[]): Logger => ({
      trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {},
      event: (name) => { written.push(name) },
      enabled: (level) => threshold.includes(level)
    })
    const bus = new EventBus<NodeEvents>()
    logEvents(bus, { subsystem: () => logger(['info', 'warn', 'error']) })
    for (let i = 0; i < 100; i++) bus.emit('inbound_rejected', { addr: `127.0.0.${i}:1`, direction: 'inbound', reason: 'rate', rejected: i + 1 })
    bus.emit('anchor_dial', { addr: '127.1.0.1:1' })
    expect(written).toEqual(['anchor_dial'])
  })

  it('the winston logger answers enabled() from its --debuglevel spec, per subsystem, and after a live change', async () => {
    const logging = createWinstonLogging({ debugLevel: 'info,CMGR=trace' })
    expect(logging.subsystem('NODE').enabled?.('debug')).toBe(false)
    expect(logging.subsystem('CMGR').enabled?.('trace')).toBe(true)
    logging.setDebugLevel('debug')
    expect(logging.subsystem('NODE').enabled?.('debug')).toBe(true)
    await logging.close()
  })
})
