import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { parseDebugLevel } from '../../src/log/levels.ts'
import { createWinstonLogging } from '../../src/log/winston.ts'

function capture (): { stream: PassThrough, lines: () => string[] } {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => { text += chunk.toString() })
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') }
}

describe('parseDebugLevel', () => {
  it('takes a global level, per-subsystem levels, or both', () => {
    expect(parseDebugLevel('debug').defaultLevel).toBe('debug')
    const spec = parseDebugLevel('warn,CMGR=debug,peer=trace')
    expect(spec.defaultLevel).toBe('warn')
    expect([...spec.perSubsystem]).toEqual([['CMGR', 'debug'], ['PEER', 'trace']])
  })

  it('names the flag and the bad part', () => {
    expect(() => parseDebugLevel('loud')).toThrow('"loud" has unknown level "loud"')
    expect(() => parseDebugLevel('FOO=debug')).toThrow('names unknown subsystem "FOO"')
  })
})

describe('winston logging', () => {
  it('writes one JSON object per line with a millisecond ISO timestamp, level, subsystem and event', async () => {
    const out = capture()
    const logging = createWinstonLogging({ format: 'json', stream: out.stream })
    logging.subsystem('CMGR').event('outbound_connected', { addr: '127.0.0.2:18444', id: 3 }, 'connected')
    await logging.close()
    const record = JSON.parse(out.lines()[0] ?? '') as Record<string, unknown>
    expect(record).toMatchObject({ level: 'info', subsystem: 'CMGR', message: 'connected', event: 'outbound_connected', addr: '127.0.0.2:18444', id: 3 })
    expect(record.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('filters per subsystem and writes readable text lines', async () => {
    const out = capture()
    const logging = createWinstonLogging({ debugLevel: 'warn,PEER=debug', stream: out.stream })
    logging.subsystem('CMGR').info('hidden')
    logging.subsystem('CMGR').warn('shown', { reason: 'two words' })
    logging.subsystem('PEER').debug('peer detail')
    await logging.close()
    const lines = out.lines()
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^\S+Z \[WRN\] CMGR: shown reason="two words"$/)
    expect(lines[1]).toMatch(/\[DBG\] PEER: peer detail$/)
  })
})
