import { readFileSync } from 'node:fs'
import { UsageError } from '../util/errors.ts'
import { nearest } from './near-miss.ts'

/**
 * Settings from outside the command line: a `key=value` config file (btcd's and bitcoind's format: one
 * setting per line, `#`/`;` comments, a repeated key adds to a list; Bitcoin Core's network sections, see
 * settingsFor) and PEERKEEPER_<KEY> environment variables (lists separated by commas). Keys are the long
 * flag names.
 */
export type OptionKind = 'string' | 'number' | 'boolean' | 'array'
export type OptionSchema = Readonly<Record<string, OptionKind>>
export type Settings = Record<string, string | number | boolean | string[]>

/**
 * What a yargs flag declaration holds once parsed, from the command line, a config file or the environment
 * alike. A number flag arrives as the text typed on the command line (see textNumberFlags), so that our
 * parser can quote it; embedders and the config file may give a number.
 */
export type FlagValue<F> = F extends { readonly array: true }
  ? readonly string[]
  : F extends { readonly type: 'number' } ? number | string : F extends { readonly type: 'boolean' } ? boolean : string

/** The values of a set of flag declarations, every one optional (an absent flag stays absent). */
export type FlagValues<Flags> = { [K in keyof Flags]?: FlagValue<Flags[K]> }

export const ENV_PREFIX = 'PEERKEEPER_'

/** The name of the config file inside the data directory. */
export const CONFIG_FILE_NAME = 'peerkeeper.conf'

/** How a boolean setting may be written (config file, environment, `--flag=value`). */
export const TRUE_WORDS: ReadonlySet<string> = new Set(['', '1', 'true', 'yes', 'on'])
export const FALSE_WORDS: ReadonlySet<string> = new Set(['0', 'false', 'no', 'off'])

function coerce (kind: OptionKind, values: string[], where: string): string | number | boolean | string[] {
  if (kind === 'array') return values
  const value = values[values.length - 1] ?? ''
  if (kind === 'string') return value
  if (kind === 'number') {
    if (!/^-?\d+$/.test(value)) throw new UsageError(`${where}: "${value}" is not an integer`)
    return Number(value)
  }
  const word = value.toLowerCase()
  if (TRUE_WORDS.has(word)) return true
  if (FALSE_WORDS.has(word)) return false
  throw new UsageError(`${where}: "${value}" is not a boolean (expected 1/0, true/false)`)
}

/** Raw values per key; `where` locates the setting in errors, `whereValue` its value. */
type RawSettings = Map<string, { values: string[], where: string, whereValue: string }>

function toSettings (raw: RawSettings, schema: OptionSchema): Settings {
  const settings: Settings = {}
  for (const [key, { values, where, whereValue }] of raw) {
    const kind = schema[key]
    if (kind === undefined) throw new UsageError(`${where}: unknown setting "${key}"`)
    settings[key] = coerce(kind, values, whereValue)
  }
  return settings
}

/**
 * Core's section names for its networks (`[main]`, `[test]`, `[testnet4]`, `[signet]`, `[regtest]`), and
 * ours (`--network` names) as well. A custom network's section is its chainparams name.
 */
export const SECTION_NETWORKS: Readonly<Record<string, string>> = {
  main: 'mainnet', mainnet: 'mainnet', test: 'testnet3', testnet3: 'testnet3', testnet4: 'testnet4', signet: 'signet', regtest: 'regtest'
}
/** btcd writes its settings under this header: they are global. */
const GLOBAL_SECTION = 'application options'
/** These pick the network (or the file), so they cannot depend on it. */
const GLOBAL_ONLY_KEYS = new Set(['network', 'chainparams', 'datadir', 'configfile'])

/** A parsed config file: the settings before any section, and each network section's. */
export interface ConfigFile {
  readonly global: Settings
  /** By section name in lower case, with where its first header is. */
  readonly sections: ReadonlyMap<string, { readonly settings: Settings, readonly where: string }>
}

export const EMPTY_CONFIG_FILE: ConfigFile = { global: {}, sections: new Map() }

/** Parses config-file text; `file` names it in errors (`FILE:LINE: …`). */
export function parseConfigFile (text: string, file: string, schema: OptionSchema): ConfigFile {
  const global: RawSettings = new Map()
  const sections = new Map<string, { raw: RawSettings, where: string }>()
  let current = global
  let section: string | undefined
  text.split(/\r?\n/).forEach((line, i) => {
    const where = `${file}:${i + 1}`
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return
    const header = /^\[(.*)\]$/.exec(trimmed)
    if (header !== null) {
      section = (header[1] ?? '').trim().toLowerCase()
      if (section === GLOBAL_SECTION) {
        current = global
        section = undefined
        return
      }
      const entry = sections.get(section) ?? { raw: new Map(), where }
      sections.set(section, entry)
      current = entry.raw
      return
    }
    const eq = trimmed.indexOf('=')
    if (eq <= 0) throw new UsageError(`${where}: expected key=value, got "${trimmed}"`)
    const key = trimmed.slice(0, eq).trim().toLowerCase()
    if (section !== undefined && GLOBAL_ONLY_KEYS.has(key)) throw new UsageError(`${where}: ${key} cannot be set in a section ([${section}]): it decides which section applies`)
    const entry = current.get(key) ?? { values: [], where, whereValue: `${where}: ${key}` }
    entry.values.push(trimmed.slice(eq + 1).trim())
    current.set(key, entry)
  })
  return {
    global: toSettings(global, schema),
    sections: new Map([...sections].map(([name, { raw, where }]) => [name, { settings: toSettings(raw, schema), where }]))
  }
}

/**
 * The settings that apply on `network` (its ChainParams name), as Core reads its bitcoin.conf: those
 * before any section, overridden key by key by the network's own section (a list in the section replaces
 * the global list). Other networks' sections are ignored (a custom network's too); a section a typo away
 * from a network's name (`[mian]`, `[regtset]`) is refused, where Core would ignore it silently.
 */
export function settingsFor (config: ConfigFile, network: string): Settings {
  let own: Settings = {}
  for (const [name, { settings, where }] of config.sections) {
    const target = SECTION_NETWORKS[name] ?? name
    // Another custom network's section is skipped like any other network's; a near miss of a known name is a typo.
    const guess = SECTION_NETWORKS[name] === undefined && name !== network ? nearest(name, [...Object.keys(SECTION_NETWORKS), network]) : undefined
    if (guess !== undefined) throw new UsageError(`${where}: unknown section [${name}] (did you mean [${guess}]?)`)
    if (target === network) own = { ...own, ...settings }
  }
  return { ...config.global, ...own }
}

/**
 * Reads a config file. A missing default file is no error (most nodes have none); a file the user
 * named with --configfile must exist.
 */
export function readConfigFile (file: string, schema: OptionSchema, options: { required: boolean }): ConfigFile {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !options.required) return EMPTY_CONFIG_FILE
    throw new UsageError(`--configfile: cannot read "${file}" (${code ?? String(err)})`)
  }
  return parseConfigFile(text, file, schema)
}

/** PEERKEEPER_TARGETOUTBOUND=4, PEERKEEPER_ADDPEER=1.2.3.4,5.6.7.8, …; an unknown PEERKEEPER_ name is refused. */
export function envSettings (env: Readonly<Record<string, string | undefined>>, schema: OptionSchema): Settings {
  const raw: RawSettings = new Map()
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue
    const key = name.slice(ENV_PREFIX.length).toLowerCase()
    const values = schema[key] === 'array' ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : [value.trim()]
    raw.set(key, { values, where: `environment ${name}`, whereValue: `environment ${name}` })
  }
  return toSettings(raw, schema)
}
