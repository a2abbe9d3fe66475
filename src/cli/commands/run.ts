import type { Argv, CommandModule, Options } from 'yargs'
import { runNodeProcess } from '../../node/process.ts'
import { DNS_FLAGS, NETWORK_FLAGS, ONION_FLAGS, PROXY_FLAGS } from '../net-options.ts'
import { optionSchema, resolveRunSettings } from '../run-settings.ts'

/**
 * The flags of `peerkeeper run`. None has a yargs default: an absent flag must stay absent so that the
 * config file and PEERKEEPER_* variables can supply it; the defaults live in buildNodeConfig.
 */
export const RUN_FLAGS = {
  ...NETWORK_FLAGS,
  addpeer: { alias: 'a', type: 'string', array: true, requiresArg: true, group: 'Peers:', describe: 'HOST[:PORT] to keep connected permanently, retried with backoff (repeatable)' },
  connect: { type: 'string', array: true, requiresArg: true, group: 'Peers:', describe: 'connect only to HOST[:PORT]: no automatic outbound, no DNS seeding, no listening (repeatable)' },
  targetoutbound: { type: 'number', group: 'Peers:', describe: 'automatic outbound connections to keep', defaultDescription: '8' },
  maxpeers: { type: 'number', group: 'Peers:', describe: 'all connections; inbound slots are what outbound leaves', defaultDescription: '125' },
  nodnsseed: { type: 'boolean', group: 'Peers:', describe: 'never query the DNS seeds' },
  ...DNS_FLAGS,
  seednode: { type: 'string', array: true, requiresArg: true, group: 'Peers:', describe: 'HOST[:PORT] to ask for addresses when the book is empty (repeatable)' },
  ...PROXY_FLAGS,
  ...ONION_FLAGS,
  banthreshold: { type: 'number', group: 'Banning:', describe: 'ban a peer whose ban score reaches this', defaultDescription: '100' },
  banduration: { type: 'string', group: 'Banning:', describe: 'how long a ban lasts (s, m, h or d units)', defaultDescription: '24h' },
  nobanning: { type: 'boolean', group: 'Banning:', describe: 'never score or ban peers' },
  whitelist: { type: 'string', array: true, requiresArg: true, group: 'Banning:', describe: 'IP or CIDR whose peers are never banned (repeatable)' },
  listen: { type: 'string', array: true, requiresArg: true, group: 'Inbound:', describe: 'accept peers on HOST:PORT (repeatable)', defaultDescription: 'all interfaces, network port; none with --proxy or --connect' },
  nolisten: { type: 'boolean', group: 'Inbound:', describe: 'accept no inbound peers' },
  datadir: { type: 'string', group: 'Data and logs:', describe: 'address book, bans and anchors', defaultDescription: '~/.peerkeeper/<network>' },
  configfile: { type: 'string', group: 'Data and logs:', describe: 'key=value settings with the flags\' names', defaultDescription: '<datadir>/peerkeeper.conf' },
  debuglevel: { type: 'string', group: 'Data and logs:', describe: 'level, or SUBSYS=level,… (trace debug info warn error critical)', defaultDescription: 'info' },
  logformat: { type: 'string', choices: ['text', 'json'], group: 'Data and logs:', describe: 'console lines or one JSON object per line', defaultDescription: 'text' },
  logfile: { type: 'string', group: 'Data and logs:', describe: 'also append the log to this file' }
} as const satisfies Record<string, Options>

const SCHEMA = optionSchema(RUN_FLAGS)

export const runCommand: CommandModule = {
  command: 'run',
  describe: 'Run the node: keep outbound connections filled, retry permanent peers, ban misbehaving ones',
  builder: (yargs: Argv) => yargs
    .options(RUN_FLAGS)
    .example('$0 run', 'mainnet, seeded from DNS')
    .example('$0 run --connect 10.0.0.5', 'only this peer')
    .example('$0 run -a node.example.org --targetoutbound 4', 'a permanent peer plus 4 automatic ones')
    .example('$0 run --proxy 127.0.0.1:9050 --torisolation', 'everything through Tor')
    .epilogue('Settings also come from the config file and PEERKEEPER_<FLAG> variables; flags win.'),
  handler: async (argv) => {
    const config = resolveRunSettings(argv, process.env, SCHEMA)
    await runNodeProcess(config)
  }
}
