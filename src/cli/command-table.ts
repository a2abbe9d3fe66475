import type { Argv, CommandModule, Options } from 'yargs'

/** A command's flags and handler; each command types its own arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandBody = CommandModule<object, any> | FlaggedCommand

/** A command that also lists its flags (those its builder declares): it is parsed without yargs when it can be (quick-parse.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FlaggedCommand = CommandModule<object, any> & { readonly flags: Readonly<Record<string, Options>> }

/**
 * A command as the top-level help lists it. Its module (flags, handler and everything they import: the
 * node, LevelDB, winston, dns2, the simulator) is loaded only when that command runs, so `--version`,
 * `--help` and every other command start without it.
 */
export interface LazyCommand {
  /** yargs' command string: the name, then the positionals. */
  readonly command: string
  readonly describe: string
  load(): Promise<CommandBody>
}

export const COMMANDS: readonly LazyCommand[] = [
  {
    command: 'run',
    describe: 'Run the node: keep outbound connections filled, retry permanent peers, ban misbehaving ones',
    load: async () => (await import('./commands/run.ts')).runCommand
  },
  {
    command: 'seed',
    describe: 'Query the network\'s DNS seeds once and print what each returned',
    load: async () => (await import('./commands/seed.ts')).seedCommand
  },
  {
    command: 'resolve <host>',
    describe: 'Resolve a host name through Tor\'s SOCKS5 RESOLVE and print its addresses',
    load: async () => (await import('./commands/resolve.ts')).resolveCommand
  },
  {
    command: 'addrbook <command>',
    describe: 'Inspect the address book: count (running node or data directory), list (data directory of a stopped node)',
    load: async () => (await import('./commands/addrbook.ts')).addrbookCommand
  },
  {
    command: 'ban <command>',
    describe: 'Add, remove or list bans: on the running node (RPC), or in the data directory when none runs',
    load: async () => (await import('./commands/ban.ts')).banCommand
  },
  {
    command: 'demo',
    describe: 'Run the real node against an offline simulated network on 127.0.0.0/8 and tell what happened',
    load: async () => (await import('./commands/demo.ts')).demoCommand
  },
  {
    command: 'cli <method> [args..]',
    describe: 'Call a running node\'s JSON-RPC method (like bitcoin-cli); `cli help` lists them',
    load: async () => (await import('./commands/cli.ts')).cliCommand
  },
  {
    command: 'peers',
    describe: 'The running node\'s peers as a table (like bitcoin-cli -netinfo 4)',
    load: async () => (await import('./commands/peers.ts')).peersCommand
  }
]

/** The command the arguments name (their first word that is not a flag), if it is one of `commands`. */
export function chosenCommand (argv: readonly string[], commands: readonly LazyCommand[] = COMMANDS): LazyCommand | undefined {
  const word = argv.find((arg) => !arg.startsWith('-'))
  return commands.find((c) => c.command.split(' ')[0] === word)
}

/** What runs the chosen command once yargs has parsed and checked its arguments. */
export type CommandAction = (argv: Record<string, unknown>) => Promise<void>

/**
 * Registers the commands: the chosen one with its flags, every other one by name and description only
 * (enough for the command list, suggestions and strict checking). The chosen command's handler is
 * returned instead of registered: yargs renders a command's whole help text as soon as its handler
 * starts (to have it ready for a later failure), 40–120 ms for `run`'s flags in `node --cpu-prof`.
 */
export async function registerCommands (cli: Argv, argv: readonly string[]): Promise<CommandAction | undefined> {
  const chosen = chosenCommand(argv)
  let action: CommandAction | undefined
  for (const c of COMMANDS) {
    if (c !== chosen) {
      cli.command(c.command, c.describe)
      continue
    }
    const body = await c.load()
    // Every command's builder is a function of the parser (src/cli/commands/).
    cli.command(c.command, c.describe, body.builder as (yargs: Argv) => Argv)
    action = async (parsed) => { await body.handler(parsed as Parameters<CommandBody['handler']>[0]) }
  }
  return action
}

/** What `peerkeeper --help` prints: the usage line, the commands and the two global options. */
export function topLevelHelp (width: number): string {
  const rows = COMMANDS.map((c) => [`peerkeeper ${c.command}`, c.describe] as const)
  const left = Math.max(...rows.map(([name]) => name.length)) + 2
  const wrap = (text: string, indent: number): string => {
    const lines: string[] = []
    let line = ''
    for (const word of text.split(' ')) {
      if (line !== '' && indent + line.length + 1 + word.length > width) {
        lines.push(line)
        line = word
      } else {
        line = line === '' ? word : `${line} ${word}`
      }
    }
    lines.push(line)
    return lines.join(`\n${' '.repeat(indent)}`)
  }
  return [
    'peerkeeper <command> [options]', '', 'A Bitcoin-style outbound peer maintainer.', '', 'Commands:',
    ...rows.map(([name, describe]) => `  ${name.padEnd(left)}${wrap(describe, left + 2)}`),
    '', 'Options:', '      --version  Show version number', '  -h, --help     Show help', ''
  ].join('\n')
}
