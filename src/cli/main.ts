import { PEERKEEPER_VERSION } from '../version.ts'
import { UsageError } from '../util/errors.ts'
import { helpFacts, prepareArgv, usageLine } from './argv.ts'
import { CommandLineError, EXIT_FAILURE, EXIT_USAGE } from './errors.ts'
import { chosenCommand, registerCommands, topLevelHelp } from './command-table.ts'
import { parseQuickly } from './quick-parse.ts'
import { keepYoungGenerationSmall } from './young-generation.ts'

/**
 * The peerkeeper command line: each subcommand lives in src/cli/commands/ and is listed in
 * src/cli/command-table.ts; only the one that runs is loaded.
 * Errors become one line on stderr; usage errors exit 2, failures exit 1.
 */
export async function main (argv: string[]): Promise<void> {
  // The answers that need no parser: yargs alone is most of their start-up (node --cpu-prof).
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${PEERKEEPER_VERSION}\n`)
    return
  }
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    process.stdout.write(topLevelHelp(Math.min(110, process.stdout.columns ?? 110)))
    return
  }
  if (chosenCommand(argv)?.command === 'run') keepYoungGenerationSmall()
  let args: string[]
  try {
    args = prepareArgv(argv, await booleanFlags(argv))
  } catch (err) {
    fail(err, argv[0] !== undefined && !argv[0].startsWith('-') ? `peerkeeper ${argv[0]}` : 'peerkeeper')
    return
  }
  const chosen = chosenCommand(args)
  const body = await chosen?.load()
  if (chosen !== undefined && body !== undefined) {
    const parsed = await parseQuickly(chosen, body, args)
    if (parsed !== undefined) {
      try {
        await body.handler(parsed)
      } catch (err) {
        fail(err)
      }
      return
    }
  }
  const { default: yargs } = await import('yargs')
  const cli = yargs(args)
    .scriptName('peerkeeper')
    .usage('$0 <command> [options]\n\nA Bitcoin-style outbound peer maintainer.')
  const action = await registerCommands(cli, args)
  cli
    .demandCommand(1, 'Name a command: see the list above.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(PEERKEEPER_VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, err) => {
      // yargs' own parse failures (message only, or its YError) are usage errors; a handler's error passes through.
      if (err === undefined || err === null || err.name === 'YError') throw new CommandLineError(err?.message ?? message)
      throw err
    })
  try {
    const parsed = await cli.parseAsync()
    await action?.(parsed)
  } catch (err) {
    if (!(err instanceof CommandLineError)) return fail(err)
    const help = await cli.getHelp()
    // No command at all: the list of commands is the answer.
    if (!argv.some((a) => !a.startsWith('-'))) {
      process.stderr.write(`${help}\n\n`)
      return fail(err)
    }
    const { command, flags, positionals } = helpFacts(help)
    err.message = usageLine(err.message, args, flags, positionals)
    fail(err, command)
  }
}

/**
 * The boolean flags whose `--flag=value` must say true or false. The run flags are loaded only when a
 * `--flag=value` is there to check, so that other commands start without them.
 */
async function booleanFlags (argv: readonly string[]): Promise<ReadonlySet<string>> {
  if (!argv.some((a) => /^--[^=]+=/.test(a))) return new Set()
  const { RUN_FLAGS } = await import('./run-flags.ts')
  return new Set([...Object.entries(RUN_FLAGS).filter(([, o]) => (o as { type?: string }).type === 'boolean').map(([k]) => k), 'json'])
}

/** One line on stderr (a usage error says where the help is), and the exit status: 2 for usage errors. */
function fail (err: unknown, command?: string): void {
  const message = (err as Error).message.replace(/\.$/, '')
  process.stderr.write(err instanceof CommandLineError && command !== undefined ? `peerkeeper: ${message}; see ${command} --help\n` : `peerkeeper: ${message}\n`)
  process.exitCode = err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE
}
