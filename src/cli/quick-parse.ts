import type { Options } from 'yargs'
import type { Options as ParserOptions } from 'yargs-parser'
import type { CommandBody, LazyCommand } from './command-table.ts'

/** What a command's handler receives. */
type CommandArgs = Parameters<CommandBody['handler']>[0]

/** Arguments that print something instead of running: yargs' own command path answers them. */
const OWN_ANSWERS = new Set(['--help', '-h', '--version'])
/** The flag settings translated here; a flag with any other setting sends the command line to yargs. */
const TRANSLATED = new Set(['type', 'array', 'alias', 'requiresArg', 'choices', 'group', 'describe', 'defaultDescription'])
/** yargs' own parser settings for a parse (yargs-factory: kRunYargsParserAndExecuteCommands). */
const YARGS_CONFIGURATION = { 'populate--': true, 'parse-positional-numbers': false } as const

/** The flags as yargs hands them to yargs-parser: types by list, requiresArg as `narg: NaN`, aliases. */
function parserOptions (flags: Readonly<Record<string, Options>>): ParserOptions {
  const pick = (test: (o: Options) => boolean): string[] => Object.entries(flags).filter(([, o]) => test(o)).flatMap(([k, o]) => [k, ...aliasesOf(o)])
  const narg: Record<string, number> = {}
  for (const [k, o] of Object.entries(flags)) if (o.requiresArg === true) narg[k] = NaN
  return {
    boolean: pick((o) => o.type === 'boolean'),
    string: pick((o) => o.type === 'string'),
    array: pick((o) => o.array === true),
    alias: Object.fromEntries(Object.entries(flags).filter(([, o]) => o.alias !== undefined).map(([k, o]) => [k, aliasesOf(o)])),
    narg,
    configuration: YARGS_CONFIGURATION
  }
}

function aliasesOf (o: Options): string[] {
  return o.alias === undefined ? [] : typeof o.alias === 'string' ? [o.alias] : [...o.alias]
}

/**
 * The chosen command's flags parsed by yargs' own parser (yargs-parser) with the settings yargs would
 * give it, without loading yargs. yargs is the larger part of a start: ~80 ms and ~5 MB of resident
 * memory for `run` (its help layout builds an Intl.Segmenter when it loads), and once a command
 * matches it renders that command's whole help (to have it ready should the handler fail), another
 * 60–110 ms for run's flags in `node --cpu-prof`. Only a command line that certainly parses is taken
 * here: a command that declares its `flags` (run), named first, every flag known, every value present
 * and allowed, no word left over. Anything else returns undefined and the caller takes yargs' full
 * command path, whose messages are its own; test/cli/quick-parse.spec.ts checks that both paths agree.
 */
export async function parseQuickly (chosen: LazyCommand, body: CommandBody, args: readonly string[]): Promise<CommandArgs | undefined> {
  const name = chosen.command
  const flags = 'flags' in body ? body.flags : undefined
  if (flags === undefined || /\s/.test(name) || args[0] !== name || args.some((a) => OWN_ANSWERS.has(a))) return undefined
  if (!Object.values(flags).every((o) => Object.keys(o).every((k) => TRANSLATED.has(k)))) return undefined
  const { default: parser } = await import('yargs-parser')
  const { argv, error } = parser.detailed(args.slice(1), parserOptions(flags))
  if (error !== null || argv._.length > 0 || (argv['--'] as unknown[] | undefined ?? []).length > 0) return undefined
  const known = new Set(Object.entries(flags).flatMap(([k, o]) => [k, ...aliasesOf(o)]))
  if (Object.keys(argv).some((k) => k !== '_' && k !== '--' && !known.has(k))) return undefined
  for (const [k, o] of Object.entries(flags)) {
    const given: unknown = argv[k]
    if (o.choices === undefined || given === undefined) continue
    if (![given].flat().every((v) => (o.choices as unknown[]).includes(v))) return undefined
  }
  delete argv['--']
  // As the command path hands them over: the command's name is the one positional.
  return { ...argv, _: [name], $0: 'peerkeeper' }
}
