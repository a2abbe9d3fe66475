/**
 * The logging interface every component takes. Components never import winston: they get a Logger
 * for their subsystem from a LoggerFactory, so tests and embedders can pass their own.
 */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'critical'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Subsystem tags, as in btcd's logs; `--debuglevel SUBSYS=level` takes these names. */
export const SUBSYSTEMS = ['NODE', 'CMGR', 'PEER', 'ADDR', 'BAN', 'SEED', 'TOR', 'PROXY', 'STORE', 'SIM', 'RPC'] as const
export type Subsystem = (typeof SUBSYSTEMS)[number]

export type LogFields = Record<string, unknown>

export interface Logger {
  trace(message: string, fields?: LogFields): void
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /**
   * A lifecycle record with a stable `event` name (outbound_connected, retry_scheduled, peer_banned, …)
   * that tools can follow; logged at info unless another level is given.
   */
  event(event: string, fields: LogFields, message: string, level?: LogLevel): void
  /** Whether a record at `level` would be written: callers skip building one that would not. @default true */
  enabled?(level: LogLevel): boolean
}

export interface LoggerFactory {
  subsystem(name: Subsystem): Logger
  /** Replaces the --debuglevel spec of every logger it made (a live reload); throws on a bad spec. Optional. */
  setDebugLevel?(spec: string): void
}

const noop = (): void => {}

export const nullLogger: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, event: noop, enabled: () => false }

export const nullLoggerFactory: LoggerFactory = { subsystem: () => nullLogger }
