import type { Options } from 'yargs'
import { FALSE_WORDS, TRUE_WORDS } from './config-file.ts'
import { CommandLineError } from './errors.ts'
import { nearest } from './near-miss.ts'

/**
 * Readies the command line for yargs where yargs-parser would guess: a value that starts with a dash and
 * a digit (`--banduration -1h`, `--targetoutbound -1`) is joined to its flag (`--banduration=-1h`), so it
 * reaches our parser and is refused with its text quoted, instead of becoming the short flags `-1 -h`
 * (which printed the help and exited 0). And `--flag=value` for a boolean flag must say true or false:
 * yargs reads `--nolisten=maybe` as false.
 */
export function prepareArgv (argv: readonly string[], booleanFlags: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? ''
    if (token === '--') { out.push(...argv.slice(i)); break }
    const next = argv[i + 1]
    if (/^--[^=\s]+$/.test(token) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${token}=${next}`)
      i++
      continue
    }
    const eq = /^--([^=]+)=(.*)$/s.exec(token)
    if (eq !== null && booleanFlags.has(eq[1] ?? '')) {
      const word = (eq[2] ?? '').trim().toLowerCase()
      if (!TRUE_WORDS.has(word) && !FALSE_WORDS.has(word)) {
        throw new CommandLineError(`--${eq[1] ?? ''}: "${eq[2] ?? ''}" is not a boolean (expected true or false)`)
      }
      out.push(`--${eq[1] ?? ''}=${TRUE_WORDS.has(word) ? 'true' : 'false'}`)
      continue
    }
    out.push(token)
  }
  return out
}

/** `--x` for a long flag name, `-x` for a one-letter alias. */
const dashed = (name: string): string => name.length === 1 ? `-${name}` : `--${name}`

/**
 * One line for a yargs parse failure, naming the flag: yargs' own wording is a list ("Unknown arguments:
 * a, b"), a table ("Invalid values: Argument: …") or a bare "Did you mean run?". `flags` are the long
 * flags of the command that failed (from its help), for "did you mean"; `argv` tells flags from words.
 */
export function usageLine (message: string, argv: readonly string[], flags: readonly string[], positionals: readonly string[] = []): string {
  const unknown = /^Unknown arguments?: (.+)$/s.exec(message)
  if (unknown !== null) {
    const name = (unknown[1] ?? '').split(', ')[0] ?? ''
    const given = argv.some((a) => a === dashed(name) || a.startsWith(`${dashed(name)}=`))
    if (!given) return `unexpected argument "${name}"`
    const guess = nearest(name, flags)
    return `unknown flag ${dashed(name)}${guess === undefined ? '' : ` (did you mean --${guess}?)`}`
  }
  const missing = /^Not enough arguments following: (.+)$/.exec(message)
  if (missing !== null) return `${dashed(missing[1] ?? '')}: expected a value`
  const invalid = /Argument: (\S+), Given: (.+?), Choices: (.+)$/m.exec(message)
  if (invalid !== null) return `${dashed(invalid[1] ?? '')}: ${invalid[2] ?? ''} is not one of ${(invalid[3] ?? '').replace(/"/g, '')}`
  const command = /^Did you mean (.+)\?$/.exec(message)
  if (command !== null) {
    // The mistyped word is the one a near miss of the suggestion ("ban ad": "ad"), not the command before it.
    const words = argv.filter((a) => !a.startsWith('-'))
    const typed = words.find((w) => w !== command[1] && nearest(w, [command[1] ?? '']) !== undefined) ?? words[0]
    return `unknown command${typed === undefined ? '' : ` "${typed}"`} (did you mean ${command[1] ?? ''}?)`
  }
  if (/^Not enough non-option arguments/.test(message) && positionals.length > 0) return `missing ${positionals.map((p) => `<${p}>`).join(' ')}`
  const required = /^Missing required arguments?: (.+)$/.exec(message)
  if (required !== null) return `${(required[1] ?? '').split(', ').map(dashed).join(', ')}: required`
  return message.replace(/\s*\n\s*/g, ' ')
}

/**
 * What a command's help says about it: its name (`peerkeeper ban add`, for "see … --help"), its long
 * flags (for "did you mean") and its required positionals (`<target>`). The help is yargs' own, of the command that failed.
 */
export function helpFacts (help: string): { command: string, flags: string[], positionals: string[] } {
  const first = (help.split('\n')[0] ?? '').trim().split(/\s+/)
  const stop = first.findIndex((w) => /^[<[]/.test(w))
  const command = stop < 0 ? first : first.slice(0, stop)
  const positionals = first.flatMap((w) => /^<(.+)>$/.exec(w)?.[1] ?? [])
  const flags = [...new Set([...help.matchAll(/(?:^|[\s,])--([a-z][a-z0-9-]*)/gm)].map((m) => m[1] ?? ''))]
  return { command: command.filter((w) => w !== '').join(' ') || 'peerkeeper', flags, positionals }
}

/**
 * The flags as yargs should parse them: number flags as text (yargs turns `0x10` into 16 and `''` into
 * NaN; our parsers quote what was typed), and every flag that takes a value requiring one, so that
 * `--maxpeers --nolisten` says the value is missing instead of swallowing the next flag.
 */
export function textNumberFlags (flags: Readonly<Record<string, Options>>): Record<string, Options> {
  return Object.fromEntries(Object.entries(flags).map(([name, o]) => [name, o.type === 'boolean' ? o : { ...o, requiresArg: true, ...(o.type === 'number' ? { type: 'string' } : {}) }]))
}
