import type { Options } from 'yargs'
import { DEFAULT_INBOUND_RATE_PER_SECOND, DEFAULT_MAX_INBOUND_PER_GROUP, DEFAULT_MAX_INBOUND_PER_IP, DEFAULT_MAX_PENDING_INBOUND } from '../admission/inbound-limits.ts'
import { DEFAULT_SELECTION, SELECTIONS } from '../addrbook/select.ts'
import { DEFAULT_BAN_DURATION_MS } from '../banlist/ban-list.ts'
import { DEFAULT_TARGET_OUTBOUND } from '../connmgr/config.ts'
import { DEFAULT_RETURN_WINDOW_MS } from '../connmgr/returns.ts'
import { DEFAULT_ROTATION_FACTOR } from '../connmgr/rotation.ts'
import { ONLYNET_NAMES } from '../gater/onlynet.ts'
import { DEFAULT_DEBUG_LEVEL } from '../log/levels.ts'
import { DEFAULT_LOG_FORMAT, LOG_FORMATS } from '../log/winston.ts'
import { DEFAULT_BLOCK_RELAY_ONLY, DEFAULT_MAX_PEERS } from '../node/limits.ts'
import { DEFAULT_BAN_THRESHOLD } from '../peer/constants.ts'
import { DEFAULT_STATUS_PORT } from '../status/binds.ts'
import { CONFIG_FILE_NAME, type FlagValues } from './config-file.ts'
import { CONTROL_FLAGS } from './control-flags.ts'
import { formatDuration } from './duration.ts'
import { DNS_FLAGS, NETWORK_FLAGS, ONION_FLAGS, PROXY_FLAGS } from './net-options.ts'
import { PEER_VALUE_FLAGS } from './peer-value-options.ts'
import { DEFAULT_DATA_DIR_DESCRIPTION } from './paths.ts'

/**
 * The flags of `peerkeeper run`, declared once: yargs, the config file's and environment's schema and
 * RunOptions all come from here. None has a yargs default: an absent flag must stay absent so that the
 * config file and PEERKEEPER_* variables can supply it; the defaults are the constants named in each
 * defaultDescription, applied by buildNodeConfig.
 */
export const RUN_FLAGS = {
  ...NETWORK_FLAGS,
  addpeer: { alias: 'a', type: 'string', array: true, requiresArg: true, group: 'Peers:', describe: 'HOST[:PORT] to keep connected permanently, retried with backoff (repeatable)' },
  connect: { type: 'string', array: true, requiresArg: true, group: 'Peers:', describe: 'connect only to HOST[:PORT]: no automatic outbound, no DNS seeding, no listening (repeatable)' },
  targetoutbound: { type: 'number', group: 'Peers:', describe: 'automatic outbound connections to keep', defaultDescription: String(DEFAULT_TARGET_OUTBOUND) },
  maxpeers: { type: 'number', group: 'Peers:', describe: 'all connections; inbound slots are what outbound leaves', defaultDescription: String(DEFAULT_MAX_PEERS) },
  blockrelayonly: { type: 'number', group: 'Peers:', describe: 'block-relay-only outbound connections (no address relay; anchors come from them), beside --targetoutbound', defaultDescription: String(DEFAULT_BLOCK_RELAY_ONLY) },
  nofeelers: { type: 'boolean', group: 'Peers:', describe: 'no feeler connections (address tests every 2 min) and no test-before-evict' },
  onlynet: { type: 'string', array: true, requiresArg: true, group: 'Peers:', describe: `dial automatic peers only on this network: ${ONLYNET_NAMES.join(', ')} (repeatable)` },
  asmap: { type: 'string', group: 'Peers:', describe: 'group peers by autonomous system with this asmap file (Core\'s format; relative to --datadir)', defaultDescription: 'none: /16 and /32 groups' },
  selection: { type: 'string', choices: SELECTIONS, group: 'Peers:', describe: 'how automatic peers are drawn from the address book: group = a random network group, then Core\'s pick within it (an attacker\'s odds follow its groups, not its addresses); core = Core\'s bucket walk', defaultDescription: DEFAULT_SELECTION },
  rotation: { type: 'number', group: 'Peers:', describe: 'close the longest-held automatic full-relay peer (the normal pick refills it) at K times the rate such peers leave on their own (0: never; no churn, no rotation); experimental, see docs/eclipse.md', defaultDescription: `${DEFAULT_ROTATION_FACTOR} (off)` },
  returnwindow: { type: 'string', group: 'Peers:', describe: 'how long an automatic peer that left on its own is redialed to take its slot back from the peer that stood in (s, m, h or d units; 0s: never)', defaultDescription: formatDuration(DEFAULT_RETURN_WINDOW_MS) },
  nodnsseed: { type: 'boolean', group: 'Peers:', describe: 'never query the DNS seeds' },
  v2transport: { type: 'boolean', group: 'Peers:', describe: 'speak BIP324 encrypted v2 P2P with peers that support it (v1 otherwise)', defaultDescription: 'on' },
  nov2transport: { type: 'boolean', group: 'Peers:', describe: 'plaintext v1 P2P only; do not advertise NODE_P2P_V2' },
  ...DNS_FLAGS,
  seednode: { type: 'string', array: true, requiresArg: true, group: 'Peers:', describe: 'HOST[:PORT] to ask for addresses when the book is empty (repeatable)' },
  ...PROXY_FLAGS,
  ...ONION_FLAGS,
  banthreshold: { type: 'number', group: 'Banning:', describe: 'ban a peer whose ban score reaches this', defaultDescription: String(DEFAULT_BAN_THRESHOLD) },
  banduration: { type: 'string', group: 'Banning:', describe: 'how long a ban lasts (s, m, h or d units)', defaultDescription: formatDuration(DEFAULT_BAN_DURATION_MS) },
  nobanning: { type: 'boolean', group: 'Banning:', describe: 'never score or ban peers' },
  whitelist: { type: 'string', array: true, requiresArg: true, group: 'Banning:', describe: '[PERMS@]IP or CIDR of trusted peers; PERMS: noban, nolimit (past every inbound limit), addr, all; bare = all (repeatable)' },
  deny: { type: 'string', array: true, requiresArg: true, group: 'Banning:', describe: 'IP or CIDR never accepted nor dialed; configuration, not a ban (repeatable)' },
  listen: { type: 'string', array: true, requiresArg: true, group: 'Inbound:', describe: 'accept peers on HOST:PORT (repeatable)', defaultDescription: 'all interfaces, network port; none with --proxy or --connect' },
  nolisten: { type: 'boolean', group: 'Inbound:', describe: 'accept no inbound peers' },
  externalip: { type: 'string', array: true, requiresArg: true, group: 'Inbound:', describe: 'our address as peers should dial it (IP or .onion, [:PORT]), told to outbound peers; the only one announced behind --proxy (repeatable)', defaultDescription: 'the address outbound peers see us at' },
  maxinboundperip: { type: 'string', group: 'Inbound:', describe: 'inbound connections from one IP at once, handshaken or not (N or "unlimited")', defaultDescription: String(DEFAULT_MAX_INBOUND_PER_IP) },
  maxinboundpergroup: { type: 'string', group: 'Inbound:', describe: 'inbound connections from one netgroup (/16, IPv6 /32) at once (N or "unlimited")', defaultDescription: String(DEFAULT_MAX_INBOUND_PER_GROUP) },
  inboundrate: { type: 'string', group: 'Inbound:', describe: 'inbound connections admitted per second from one IP (N or "unlimited")', defaultDescription: String(DEFAULT_INBOUND_RATE_PER_SECOND) },
  maxpendinginbound: { type: 'string', group: 'Inbound:', describe: 'inbound connections still in their version handshake, node-wide (N or "unlimited")', defaultDescription: String(DEFAULT_MAX_PENDING_INBOUND) },
  ...PEER_VALUE_FLAGS,
  datadir: { type: 'string', group: 'Data and logs:', describe: 'address book, bans and anchors', defaultDescription: DEFAULT_DATA_DIR_DESCRIPTION },
  configfile: { type: 'string', group: 'Data and logs:', describe: 'key=value settings with the flags\' names', defaultDescription: `<datadir>/${CONFIG_FILE_NAME}` },
  debuglevel: { type: 'string', group: 'Data and logs:', describe: 'level, or SUBSYS=level,… (trace debug info warn error critical)', defaultDescription: DEFAULT_DEBUG_LEVEL },
  logformat: { type: 'string', choices: LOG_FORMATS, group: 'Data and logs:', describe: 'console lines or one JSON object per line', defaultDescription: DEFAULT_LOG_FORMAT },
  logfile: { type: 'string', group: 'Data and logs:', describe: 'also append the log to this file' },
  statuslisten: { type: 'string', array: true, requiresArg: true, group: 'Status page:', describe: `serve the live status page on HOST[:PORT] (repeatable; port ${DEFAULT_STATUS_PORT} if none)`, defaultDescription: 'off' },
  statusallowip: { type: 'string', array: true, requiresArg: true, group: 'Status page:', describe: 'also let these IP/CIDR clients read the page (needed for a non-loopback --statuslisten; repeatable)' },
  ...CONTROL_FLAGS
} as const satisfies Record<string, Options>

/**
 * The settings of `peerkeeper run` as they arrive, every one optional and unchecked (a config file can
 * hold any text): buildNodeConfig turns them into a NodeConfig. `configfile` is consumed before that.
 */
export type RunOptions = FlagValues<Omit<typeof RUN_FLAGS, 'configfile'>>
