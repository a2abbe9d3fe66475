import { LOG_LEVELS, SUBSYSTEMS, type LogLevel, type Subsystem } from './logger.ts'
import { LogConfigError } from './errors.ts'

/** btcd's default: routine events (connections, bans) show, per-message detail does not. */
export const DEFAULT_DEBUG_LEVEL: LogLevel = 'info'

export interface LevelSpec {
  readonly defaultLevel: LogLevel
  readonly perSubsystem: ReadonlyMap<Subsystem, LogLevel>
}

function asLevel (text: string, input: string): LogLevel {
  const level = text.trim().toLowerCase()
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel
  throw new LogConfigError(`"${input}" has unknown level "${text}" (expected ${LOG_LEVELS.join(', ')})`)
}

/**
 * btcd's --debuglevel syntax: a level for everything (`info`), per-subsystem levels
 * (`CMGR=debug,PEER=trace`), or both (`warn,PEER=debug`).
 */
export function parseDebugLevel (input: string): LevelSpec {
  let defaultLevel = DEFAULT_DEBUG_LEVEL
  const perSubsystem = new Map<Subsystem, LogLevel>()
  const parts = input.split(',').map((p) => p.trim())
  // An empty setting (or an empty part, "info,,PEER=debug") is a slip, not "the default".
  if (parts.some((p) => p === '')) throw new LogConfigError(`"${input}" has an empty level (expected ${LOG_LEVELS.join(', ')}, or SUBSYS=level,…)`)
  for (const part of parts) {
    const eq = part.indexOf('=')
    if (eq < 0) {
      defaultLevel = asLevel(part, input)
      continue
    }
    const name = part.slice(0, eq).trim().toUpperCase()
    if (!(SUBSYSTEMS as readonly string[]).includes(name)) {
      throw new LogConfigError(`"${input}" names unknown subsystem "${part.slice(0, eq)}" (expected ${SUBSYSTEMS.join(', ')})`)
    }
    perSubsystem.set(name as Subsystem, asLevel(part.slice(eq + 1), input))
  }
  return { defaultLevel, perSubsystem }
}

export function levelEnabled (spec: LevelSpec, subsystem: Subsystem, level: LogLevel): boolean {
  const threshold = spec.perSubsystem.get(subsystem) ?? spec.defaultLevel
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold)
}
