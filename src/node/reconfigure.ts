import type { InboundLimits } from '../admission/inbound-limits.ts'
import type { Permissions } from '../admission/permissions.ts'
import type { DefaultGater } from '../gater/default-gater.ts'
import { parseDebugLevel } from '../log/levels.ts'
import type { LoggerFactory } from '../log/logger.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { AdmissionConfig, NodeConfig } from './config.ts'

/**
 * The settings a running node takes without a restart (SIGHUP, later the control API): inbound limits,
 * the allow and deny lists, and the log level.
 */
export interface LiveSettings {
  readonly admission: AdmissionConfig
  readonly debugLevel: string
}

export interface ReconfigureResult {
  /** What differs from the settings before, by library name (maxInboundPerIp, whitelist, deny, debugLevel…). */
  readonly changed: readonly string[]
  /** Live connections closed because a new deny entry covers them. */
  readonly dropped: number
}

export function liveSettingsOf (config: NodeConfig): LiveSettings {
  return { admission: config.admission, debugLevel: config.logging.debugLevel }
}

const permissionText = (p: Permissions): string => `${p.noban ? 'noban,' : ''}${p.nolimit ? 'nolimit,' : ''}${p.addr ? 'addr' : ''}`

/** Names of the live settings that differ; lists compare as sets of entries (order does not matter). */
export function changedSettings (before: LiveSettings, after: LiveSettings): string[] {
  const changed: string[] = []
  for (const name of Object.keys(after.admission.limits) as Array<keyof InboundLimits>) {
    if (before.admission.limits[name] !== after.admission.limits[name]) changed.push(name)
  }
  const allow = (s: LiveSettings): string => s.admission.whitelist.map((e) => `${permissionText(e.permissions)}@${e.target.key}`).sort().join(' ')
  const deny = (s: LiveSettings): string => s.admission.deny.map((t) => t.key).sort().join(' ')
  if (allow(before) !== allow(after)) changed.push('whitelist')
  if (deny(before) !== deny(after)) changed.push('deny')
  if (before.debugLevel !== after.debugLevel) changed.push('debugLevel')
  return changed
}

const json = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v)

/** Parts of a reloaded config that differ from the running one but are read only at start. */
export function restartOnlyChanges (running: NodeConfig, reloaded: NodeConfig): string[] {
  const names: string[] = []
  for (const key of Object.keys(reloaded) as Array<keyof NodeConfig>) {
    if (key === 'admission') continue
    const [a, b] = key === 'logging'
      ? [{ ...running.logging, debugLevel: '' }, { ...reloaded.logging, debugLevel: '' }]
      : [running[key], reloaded[key]]
    if (json(a) !== json(b)) names.push(key)
  }
  return names
}

export interface ReconfigureTarget {
  gater: DefaultGater
  registry: ConnectionRegistry
  logging: LoggerFactory
}

/**
 * Applies `after` to a running node. Everything is checked before anything changes (a bad limit or level
 * throws and the old settings stay). Lowered limits close nothing (go-connlimit's SetConfig); a new deny
 * entry closes the live connections it covers, inbound and outbound.
 */
export function applyLiveSettings (target: ReconfigureTarget | undefined, before: LiveSettings, after: LiveSettings): ReconfigureResult {
  const changed = changedSettings(before, after)
  parseDebugLevel(after.debugLevel)
  if (target === undefined) return { changed, dropped: 0 }
  target.gater.reconfigure({ lists: after.admission, limits: after.admission.limits })
  if (changed.includes('debugLevel')) target.logging.setDebugLevel?.(after.debugLevel)
  let dropped = 0
  if (changed.includes('deny')) {
    for (const conn of target.registry.all()) {
      if (!target.gater.denied(conn.addr.host)) continue
      conn.session.close('denied by configuration')
      dropped++
    }
  }
  return { changed, dropped }
}
