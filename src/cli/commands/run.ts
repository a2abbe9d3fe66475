import type { Argv } from 'yargs'
import { HttpListenError } from '../../http/errors.ts'
import { ListenError } from '../../inbound/errors.ts'
import { LogConfigError } from '../../log/errors.ts'
import type { NodeConfig } from '../../node/config.ts'
import { runNodeProcess, type Companion } from '../../node/process.ts'
import { textNumberFlags } from '../argv.ts'
import type { FlaggedCommand } from '../command-table.ts'
import { checkDataDirFlag } from '../options.ts'
import { expandHome } from '../paths.ts'
import { RUN_FLAGS } from '../run-flags.ts'
import { optionSchema, resolveRunSettings } from '../run-settings.ts'
import { restoreYoungGenerationGrowthUnderLoad } from '../young-generation.ts'

const SCHEMA = optionSchema(RUN_FLAGS)
const FLAGS = textNumberFlags(RUN_FLAGS)

/** `peerkeeper run`: its flags and handler (its name and description are in src/cli/command-table.ts). */
export const runCommand: FlaggedCommand = {
  flags: FLAGS,
  builder: (yargs: Argv) => yargs
    .options(FLAGS)
    .example('$0 run', 'mainnet, seeded from DNS')
    .example('$0 run --connect 10.0.0.5', 'only this peer')
    .example('$0 run -a node.example.org --targetoutbound 4', 'a permanent peer plus 4 automatic ones')
    .example('$0 run --proxy 127.0.0.1:9050 --torisolation', 'everything through Tor')
    .example('$0 run --statuslisten 127.0.0.1:8435', 'and watch it at http://127.0.0.1:8435/')
    .example('$0 run --whitelist nolimit@10.0.0.0/8 --deny 192.0.2.0/24', 'trusted LAN past every inbound limit; one network refused')
    .epilogue('Settings also come from the config file and PEERKEEPER_<FLAG> variables; flags win. SIGHUP rereads them and applies the inbound limits, --whitelist, --deny and --debuglevel without a restart, and reopens --logfile.'),
  handler: async (argv) => {
    // The data directory holds the default config file: a path that can never work is refused first.
    const early = argv.datadir ?? process.env.PEERKEEPER_DATADIR
    if (typeof early === 'string') await checkDataDirFlag(expandHome(early))
    const config = resolveRunSettings(argv, process.env, SCHEMA)
    await checkDataDirFlag(config.datadir)
    try {
      // SIGHUP rereads the same layers (config file, environment, these flags): flags still win.
      await runNodeProcess(config, await companionsFor(config), { reload: () => resolveRunSettings(argv, process.env, SCHEMA), onStarted: restoreYoungGenerationGrowthUnderLoad })
    } catch (err) {
      // The library names the address; the flag that asked for it is the command line's to add.
      if (err instanceof ListenError) err.message = `--listen: ${err.message}`
      if (err instanceof LogConfigError) err.message = `--logfile: ${err.message}`
      if (err instanceof HttpListenError && err.message.startsWith('status:')) err.message = `--statuslisten: ${err.message}`
      else if (err instanceof HttpListenError) err.message = `${err.message.startsWith('RPC') ? '--rpclisten' : '--metricslisten'}: ${err.message}`
      throw err
    }
  }
}

/** The status page, loaded only with --statuslisten: a node without it never loads its server and page. */
async function companionsFor (config: NodeConfig): Promise<Companion[]> {
  if ((config.statusPage?.listen.length ?? 0) === 0) return []
  return [(await import('../../status/server.ts')).statusPageFor]
}
