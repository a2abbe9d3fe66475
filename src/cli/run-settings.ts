import { join } from 'node:path'
import type { Options } from 'yargs'
import { loadChainParams } from '../chainparams/chainparams.ts'
import type { NodeConfig } from '../node/config.ts'
import { buildNodeConfig } from './node-config.ts'
import { defaultDataDir, expandHome } from './paths.ts'
import type { RunOptions } from './run-flags.ts'
import { DEFAULT_NETWORK } from './net-options.ts'
import { CONFIG_FILE_NAME, envSettings, readConfigFile, settingsFor, type OptionKind, type OptionSchema, type Settings } from './config-file.ts'
import { UsageError } from '../util/errors.ts'

/**
 * Where the config file is when --configfile is not given: <datadir>/peerkeeper.conf, the data directory
 * coming from the flags or environment (a config file cannot move itself).
 */
function defaultConfigFile (early: Settings): string {
  if (typeof early.datadir === 'string') return join(expandHome(early.datadir), CONFIG_FILE_NAME)
  return join(defaultDataDir(networkName(early)), CONFIG_FILE_NAME)
}

/** The network these settings pick (its ChainParams name), for the data directory and the config file's section. */
function networkName (settings: Settings): string {
  let network = typeof settings.network === 'string' ? settings.network : DEFAULT_NETWORK
  if (typeof settings.chainparams === 'string') {
    // An unreadable file is reported by buildNodeConfig with its flag; here it only picks a name.
    try { network = loadChainParams(expandHome(settings.chainparams)).name } catch { /* reported later */ }
  }
  return network
}

/** The kind of each flag as the config file and environment must parse it. */
export function optionSchema (flags: Readonly<Record<string, Options>>): OptionSchema {
  const schema: Record<string, OptionKind> = {}
  for (const [key, o] of Object.entries(flags)) {
    schema[key] = o.array === true ? 'array' : o.type === 'number' ? 'number' : o.type === 'boolean' ? 'boolean' : 'string'
  }
  return schema
}

/**
 * Layers the run settings — config file, then PEERKEEPER_* variables, then flags, the later winning —
 * and validates them into a NodeConfig. `flags` holds only what was given on the command line.
 */
export function resolveRunSettings (
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  schema: OptionSchema
): NodeConfig {
  const given: Settings = {}
  for (const key of Object.keys(schema)) {
    const value = flags[key]
    if (value !== undefined) given[key] = value as Settings[string]
  }
  const fromEnv = envSettings(env, schema)
  const early = { ...fromEnv, ...given }
  const explicit = typeof early.configfile === 'string'
  const file = explicit ? expandHome(early.configfile as string) : defaultConfigFile(early)
  const config = readConfigFile(file, schema, { required: explicit })
  if (config.global.configfile !== undefined) throw new UsageError(`${file}: configfile cannot be set inside a config file`)
  // The network comes from the flags and environment, else from the file's global part; it picks the section.
  const network = networkName(early.network !== undefined || early.chainparams !== undefined ? early : { ...config.global, ...early })
  const fromFile = settingsFor(config, network)
  const merged: Settings = { ...fromFile, ...early }
  delete merged.configfile
  return buildNodeConfig(merged as RunOptions)
}
