import { PEERKEEPER_VERSION } from '../version.ts'
import { UsageError } from '../util/errors.ts'
import { CommandLineError, EXIT_FAILURE, EXIT_USAGE } from './errors.ts'
import { registerCommands } from './command-table.ts'

/**
 * The peerkeeper command line: each subcommand lives in src/cli/commands/ and is listed in
 * src/cli/command-table.ts; only the one that runs is loaded.
 * Errors become one line on stderr; usage errors exit 2, failures exit 1.
 */
export async function main (argv: string[]): Promise<void> {
  // The one answer that needs no parser: yargs alone is most of a --version's start-up (node --cpu-prof).
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${PEERKEEPER_VERSION}\n`)
    return
  }
  const { default: yargs } = await import('yargs')
  const cli = yargs(argv)
    .scriptName('peerkeeper')
    .usage('$0 <command> [options]\n\nA Bitcoin-style outbound peer maintainer.')
  const action = await registerCommands(cli, argv)
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
    if (err instanceof CommandLineError) process.stderr.write(`${await cli.getHelp()}\n\n`)
    process.stderr.write(`peerkeeper: ${(err as Error).message}\n`)
    process.exitCode = err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE
  }
}
