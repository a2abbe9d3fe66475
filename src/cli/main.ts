import yargs from 'yargs'
import { PEERKEEPER_VERSION } from '../version.ts'
import { UsageError } from '../util/errors.ts'
import { CommandLineError, EXIT_FAILURE, EXIT_USAGE } from './errors.ts'
import { runCommand } from './commands/run.ts'
import { seedCommand } from './commands/seed.ts'
import { resolveCommand } from './commands/resolve.ts'
import { addrbookCommand } from './commands/addrbook.ts'
import { banCommand } from './commands/ban.ts'
import { demoCommand } from './commands/demo.ts'
import { cliCommand } from './commands/cli.ts'
import { peersCommand } from './commands/peers.ts'

/**
 * The peerkeeper command line: each subcommand lives in src/cli/commands/ and is registered here.
 * Errors become one line on stderr; usage errors exit 2, failures exit 1.
 */
export async function main (argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName('peerkeeper')
    .usage('$0 <command> [options]\n\nA Bitcoin-style outbound peer maintainer.')
    .command(runCommand)
    .command(seedCommand)
    .command(resolveCommand)
    .command(addrbookCommand)
    .command(banCommand)
    .command(demoCommand)
    .command(cliCommand)
    .command(peersCommand)
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
    await cli.parseAsync()
  } catch (err) {
    if (err instanceof CommandLineError) process.stderr.write(`${await cli.getHelp()}\n\n`)
    process.stderr.write(`peerkeeper: ${(err as Error).message}\n`)
    process.exitCode = err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE
  }
}
