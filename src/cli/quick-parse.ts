import type { Argv } from 'yargs'
import type { CommandBody, LazyCommand } from './command-table.ts'
import { CommandLineError } from './errors.ts'

/** What a command's handler receives. */
type CommandArgs = Parameters<CommandBody['handler']>[0]

/** Arguments that print something instead of running: yargs' own command path answers them. */
const OWN_ANSWERS = new Set(['--help', '-h', '--version'])

/**
 * The chosen command's flags parsed at yargs' top level, without its command machinery. Once a command
 * matches, yargs renders that command's whole help (to have it ready should the handler fail), 60–110 ms
 * for run's flags in `node --cpu-prof`, on every start. A command with no positionals and no
 * subcommands parses the same way at top level, so the arguments of a working command line come out
 * equal. Returns undefined whenever this is not certain — another command shape, a help or version
 * request, a word left over, any parse failure — and the caller then takes the full command path, whose
 * messages are yargs' own (a failure costs the help rendering there, as before).
 */
export async function parseAtTopLevel (yargs: (args: string[]) => Argv, chosen: LazyCommand, body: CommandBody, args: readonly string[]): Promise<CommandArgs | undefined> {
  const name = chosen.command
  if (/\s/.test(name) || args[0] !== name || args.some((a) => OWN_ANSWERS.has(a))) return undefined
  const cli = (body.builder as (y: Argv) => Argv)(yargs(args.slice(1)))
    .strict()
    .help(false)
    .version(false)
    .fail((message, err) => { throw new CommandLineError(err?.message ?? message) })
  try {
    const parsed = await cli.parseAsync()
    if (parsed._.length > 0) return undefined
    // As the command path hands them over: the command's name is the one positional.
    return { ...parsed, _: [name] }
  } catch (err) {
    if (err instanceof CommandLineError) return undefined
    throw err
  }
}
