import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseDebugLevel } from '../../src/log/levels.ts'
import { createWinstonLogging } from '../../src/log/winston.ts'
import { immutableUnsupported, withImmutable } from '../helpers/data-dir-tree.ts'

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

describe('--logfile that cannot be written is refused at start (LogConfigError, a usage error)', () => {
  let root: string
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'pk-logfile-')) })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  it.each<[string, (root: string) => string, string]>([
    ['in a missing directory', (r) => join(r, 'missing', 'pk.log'), 'its directory does not exist'],
    ['under a file', (r) => { writeFileSync(join(r, 'file'), ''); return join(r, 'file', 'pk.log') }, 'a part of its path is a file, not a directory'],
    ['that is a directory', (r) => r, 'it is a directory']
  ])('%s', (_what, fileOf, reason) => {
    const file = fileOf(root)
    expect(() => createWinstonLogging({ file })).toThrow(expect.objectContaining({ name: 'LogConfigError', message: `cannot write ${file}: ${reason}` }) as Error)
  })

  // Root ignores permission bits, so the directory is made immutable instead (skipped where chattr cannot).
  const noChattr = immutableUnsupported(tmpdir())
  if (noChattr !== undefined) console.log(`skipping the unwritable-directory case: ${noChattr}`)
  it.skipIf(noChattr !== undefined)('in a directory that cannot be written', async () => {
    const file = join(root, 'pk.log')
    await withImmutable(root, async () => {
      expect(() => createWinstonLogging({ file })).toThrow(`cannot write ${file}: operation not permitted`)
    })
  })

  it('appends to a file it can write', async () => {
    const file = join(root, 'pk.log')
    const logging = createWinstonLogging({ file, stream: new PassThrough() })
    logging.subsystem('NODE').info('hello')
    await logging.close()
    expect(readFileSync(file, 'utf8')).toMatch(/\[INF\] NODE: hello\n$/)
  })
})
