import { LOG_LEVELS, SUBSYSTEMS, type LogLevel, type Subsystem } from './logger.ts'
import { NamedError } from '../util/errors.ts'

/** A --debuglevel value that does not parse, or a --logfile that cannot be written. */
export class LogConfigError extends NamedError {}

export interface LevelSpec {
  readonly defaultLevel: LogLevel
  readonly perSubsystem: ReadonlyMap<Subsystem, LogLevel>
}

function asLevel (text: string, input: string): LogLevel {
  const level = text.trim().toLowerCase()
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel
  throw new LogConfigError(`--debuglevel: "${input}" has unknown level "${text}" (expected ${LOG_LEVELS.join(', ')})`)
}

/**
 * btcd's --debuglevel syntax: a level for everything (`info`), per-subsystem levels
 * (`CMGR=debug,PEER=trace`), or both (`warn,PEER=debug`).
 */
export function parseDebugLevel (input: string): LevelSpec {
  let defaultLevel: LogLevel = 'info'
  const perSubsystem = new Map<Subsystem, LogLevel>()
  for (const part of input.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=')
    if (eq < 0) {
      defaultLevel = asLevel(part, input)
      continue
    }
    const name = part.slice(0, eq).trim().toUpperCase()
    if (!(SUBSYSTEMS as readonly string[]).includes(name)) {
      throw new LogConfigError(`--debuglevel: "${input}" names unknown subsystem "${part.slice(0, eq)}" (expected ${SUBSYSTEMS.join(', ')})`)
    }
    perSubsystem.set(name as Subsystem, asLevel(part.slice(eq + 1), input))
  }
  return { defaultLevel, perSubsystem }
}

export function levelEnabled (spec: LevelSpec, subsystem: Subsystem, level: LogLevel): boolean {
  const threshold = spec.perSubsystem.get(subsystem) ?? spec.defaultLevel
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold)
}
