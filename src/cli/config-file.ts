import { readFileSync } from 'node:fs'
import { UsageError } from '../util/errors.ts'

/**
 * Settings from outside the command line: a `key=value` config file (btcd's and bitcoind's format: one
 * setting per line, `#`/`;` comments, `[section]` headers ignored, a repeated key adds to a list) and
 * PEERKEEPER_<KEY> environment variables (lists separated by commas). Keys are the long flag names.
 */
export type OptionKind = 'string' | 'number' | 'boolean' | 'array'
export type OptionSchema = Readonly<Record<string, OptionKind>>
export type Settings = Record<string, string | number | boolean | string[]>

/** What a yargs flag declaration holds once parsed, from the command line, a config file or the environment alike. */
export type FlagValue<F> = F extends { readonly array: true }
  ? readonly string[]
  : F extends { readonly type: 'number' } ? number : F extends { readonly type: 'boolean' } ? boolean : string

/** The values of a set of flag declarations, every one optional (an absent flag stays absent). */
export type FlagValues<Flags> = { [K in keyof Flags]?: FlagValue<Flags[K]> }

export const ENV_PREFIX = 'PEERKEEPER_'

/** The name of the config file inside the data directory. */
export const CONFIG_FILE_NAME = 'peerkeeper.conf'

const TRUE_WORDS = new Set(['', '1', 'true', 'yes', 'on'])
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off'])

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

/** Parses config-file text; `file` names it in errors (`FILE:LINE: …`). */
export function parseConfigFile (text: string, file: string, schema: OptionSchema): Settings {
  const raw: RawSettings = new Map()
  text.split(/\r?\n/).forEach((line, i) => {
    const where = `${file}:${i + 1}`
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';') || /^\[.*\]$/.test(trimmed)) return
    const eq = trimmed.indexOf('=')
    if (eq <= 0) throw new UsageError(`${where}: expected key=value, got "${trimmed}"`)
    const key = trimmed.slice(0, eq).trim().toLowerCase()
    const entry = raw.get(key) ?? { values: [], where, whereValue: `${where}: ${key}` }
    entry.values.push(trimmed.slice(eq + 1).trim())
    raw.set(key, entry)
  })
  return toSettings(raw, schema)
}

/**
 * Reads a config file. A missing default file is no error (most nodes have none); a file the user
 * named with --configfile must exist.
 */
export function readConfigFile (file: string, schema: OptionSchema, options: { required: boolean }): Settings {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !options.required) return {}
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
