import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs'
import type { Writable } from 'node:stream'
import winston from 'winston'
import { DEFAULT_DEBUG_LEVEL, levelEnabled, parseDebugLevel } from './levels.ts'
import { LogConfigError } from './errors.ts'
import type { LogFields, Logger, LoggerFactory, LogLevel, Subsystem } from './logger.ts'

export const LOG_FORMATS = ['text', 'json'] as const
export type LogFormat = typeof LOG_FORMATS[number]
/** Console lines for a person; json is for log collectors. */
export const DEFAULT_LOG_FORMAT: LogFormat = 'text'

export interface WinstonLoggingInit {
  /** btcd --debuglevel syntax; default "info". */
  debugLevel?: string
  format?: LogFormat
  /** Where console lines go; default stderr so that command output on stdout stays machine-readable. */
  stream?: Writable
  /** Also append every record to this file, in the same format. */
  file?: string
}

/** winston's levels, most severe first; "critical" and "trace" are btcd's extremes. */
const WINSTON_LEVELS: Record<LogLevel, number> = { critical: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 }
const SHORT: Record<LogLevel, string> = { critical: 'CRT', error: 'ERR', warn: 'WRN', info: 'INF', debug: 'DBG', trace: 'TRC' }

function fieldText (value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v)
  return /\s/.test(text ?? '') ? JSON.stringify(text) : String(text)
}

const textFormat = winston.format.printf((info) => {
  const { timestamp, level, subsystem, message, ...fields } = info as Record<string, unknown>
  const extra = Object.entries(fields)
    .filter(([k]) => typeof k === 'string')
    .map(([k, v]) => `${k}=${fieldText(v)}`)
    .join(' ')
  return `${String(timestamp)} [${SHORT[level as LogLevel] ?? String(level)}] ${String(subsystem)}: ${String(message)}${extra === '' ? '' : ` ${extra}`}`
})

const jsonFormat = winston.format.printf((info) => {
  const { timestamp, level, subsystem, message, ...fields } = info as Record<string, unknown>
  return JSON.stringify({ timestamp, level, subsystem, message, ...fields }, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v)
})

/** Why open(2) failed, in words an operator can act on. */
const LOGFILE_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of its path is a file, not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full'
}

/**
 * Opens (creating) the log file once before winston does: winston reports a file it cannot open only
 * as an asynchronous error event, after the node has started, so the log would be lost silently.
 */
function checkLogFile (file: string): void {
  try {
    closeSync(openSync(file, 'a'))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    throw new LogConfigError(`cannot write ${file}: ${LOGFILE_REASONS[code] ?? (err as Error).message}`)
  }
}

/** What the running process can do with its logging: change the level, reopen the file, close. */
export interface WinstonLogging extends LoggerFactory {
  setDebugLevel(spec: string): void
  /** Closes and reopens --logfile by its name, so a file that logrotate moved away is started anew. */
  reopen(): Promise<void>
  close(): Promise<void>
}

async function endStream (stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve) => { stream.end(resolve) })
}

/** One winston logger with a child per subsystem, filtered by the --debuglevel spec. */
export function createWinstonLogging (init: WinstonLoggingInit = {}): WinstonLogging {
  let spec = parseDebugLevel(init.debugLevel ?? DEFAULT_DEBUG_LEVEL)
  if (init.file !== undefined) checkLogFile(init.file)
  const format = winston.format.combine(
    winston.format.timestamp({ format: () => new Date().toISOString() }),
    (init.format ?? DEFAULT_LOG_FORMAT) === 'json' ? jsonFormat : textFormat
  )
  const root = winston.createLogger({ levels: WINSTON_LEVELS, level: 'trace', transports: [new winston.transports.Stream({ stream: init.stream ?? process.stderr, format })] })
  // The file is a plain append stream (not winston's File transport) so that reopen() can swap it whole.
  let file: { stream: WriteStream, transport: winston.transport } | undefined
  const openFile = (name: string): void => {
    const stream = createWriteStream(name, { flags: 'a' })
    file = { stream, transport: new winston.transports.Stream({ stream, format }) }
    root.add(file.transport)
  }
  const closeFile = async (): Promise<void> => {
    if (file === undefined) return
    const old = file
    file = undefined
    root.remove(old.transport)
    await endStream(old.stream)
  }
  if (init.file !== undefined) openFile(init.file)

  const subsystem = (name: Subsystem): Logger => {
    const child = root.child({ subsystem: name })
    const log = (level: LogLevel, message: string, fields?: LogFields): void => {
      if (levelEnabled(spec, name, level)) child.log(level, message, fields ?? {})
    }
    return {
      trace: (m, f) => { log('trace', m, f) },
      debug: (m, f) => { log('debug', m, f) },
      info: (m, f) => { log('info', m, f) },
      warn: (m, f) => { log('warn', m, f) },
      error: (m, f) => { log('error', m, f) },
      event: (event, fields, message, level = 'info') => { log(level, message, { event, ...fields }) },
      enabled: (level) => levelEnabled(spec, name, level)
    }
  }
  const close = async (): Promise<void> => {
    const finished = new Promise<void>((resolve) => root.on('finish', () => { resolve() }))
    root.end()
    await finished
    await closeFile()
  }
  const reopen = async (): Promise<void> => {
    if (init.file === undefined) return
    await closeFile()
    checkLogFile(init.file)
    openFile(init.file)
  }
  return { subsystem, close, reopen, setDebugLevel: (text) => { spec = parseDebugLevel(text) } }
}
