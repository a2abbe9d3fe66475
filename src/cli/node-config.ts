import { DEFAULT_INBOUND_LIMITS, type InboundLimits } from '../admission/inbound-limits.ts'
import { parseDenyEntry, parseWhitelistEntry } from '../admission/permissions.ts'
import { DEFAULT_SELECTION, SELECTIONS } from '../addrbook/select.ts'
import { DEFAULT_BAN_DURATION_MS } from '../banlist/ban-list.ts'
import { DEFAULT_TARGET_OUTBOUND } from '../connmgr/config.ts'
import { DEFAULT_RETURN_WINDOW_MS } from '../connmgr/returns.ts'
import { DEFAULT_ROTATION_FACTOR } from '../connmgr/rotation.ts'
import { DEFAULT_DEBUG_LEVEL, parseDebugLevel } from '../log/levels.ts'
import { DEFAULT_LOG_FORMAT, LOG_FORMATS, type LogFormat } from '../log/winston.ts'
import { netAddressFrom, parseHostPort, type HostPort } from '../netaddr/netaddress.ts'
import type { AdmissionConfig, ListenAddress, NodeConfig } from '../node/config.ts'
import { DEFAULT_BLOCK_RELAY_ONLY, DEFAULT_MAX_PEERS, peerLimits } from '../node/limits.ts'
import { onlyNetNetwork } from '../gater/onlynet.ts'
import { loadAsmap } from './asmap-file.ts'
import { DEFAULT_BAN_THRESHOLD } from '../peer/constants.ts'
import { parseSubnet } from '../http/subnet.ts'
import { checkStatusBinds, DEFAULT_STATUS_PORT } from '../status/binds.ts'
import { UsageError } from '../util/errors.ts'
import { metricsConfig, rpcConfig } from './control-flags.ts'
import { parseDuration } from './duration.ts'
import { peerValueFromFlags } from './peer-value-options.ts'
import { withFlag } from './errors.ts'
import { intFlag } from './int-flag.ts'
import { chainParamsFromFlags, dnsServersFromFlags, transportFromFlags } from './net-options.ts'
import { defaultDataDir, expandHome } from './paths.ts'
import type { RunOptions } from './run-flags.ts'

/** btcd refuses shorter bans: below a second a ban is meaningless at the score's 1 s resolution. */
const MIN_BAN_DURATION_MS = 1_000

/** btcd keeps the ban threshold in a uint32: a larger one is a typo, not a policy. */
const MAX_BAN_THRESHOLD = 2 ** 32 - 1

function integer (value: number | string | undefined, flag: string, min: number, fallback: number, max?: number): number {
  return intFlag(value, flag, min, max) ?? fallback
}

function listenAddress (input: string, defaultPort: number): ListenAddress {
  return withFlag('--listen', () => {
    // ":PORT" (btcd's form) and "PORT" alone mean every interface.
    const bare = /^:?(\d+)$/.exec(input.trim())
    if (bare !== null) return { host: undefined, port: parseHostPort(`0.0.0.0:${bare[1] ?? ''}`, defaultPort).port }
    return parseHostPort(input, defaultPort)
  })
}

/** The spelling of "no limit" for the inbound limits: 0 keeps its plain meaning (nobody but nolimit peers). */
const UNLIMITED = 'unlimited'

/** An inbound limit: a whole number >= 0, or "unlimited" (the library's Infinity). */
function limit (value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const text = value.trim().toLowerCase()
  if (text === UNLIMITED) return Infinity
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--${flag}: expected a whole number >= 0 or "${UNLIMITED}", got "${value}"`)
  return Number(text)
}

/** --maxinboundperip, --maxinboundpergroup, --inboundrate, --maxpendinginbound, --whitelist and --deny. */
function admission (options: RunOptions): AdmissionConfig {
  const limits: InboundLimits = {
    maxInboundPerIp: limit(options.maxinboundperip, 'maxinboundperip', DEFAULT_INBOUND_LIMITS.maxInboundPerIp),
    maxInboundPerGroup: limit(options.maxinboundpergroup, 'maxinboundpergroup', DEFAULT_INBOUND_LIMITS.maxInboundPerGroup),
    inboundRatePerSecond: limit(options.inboundrate, 'inboundrate', DEFAULT_INBOUND_LIMITS.inboundRatePerSecond),
    maxPendingInbound: limit(options.maxpendinginbound, 'maxpendinginbound', DEFAULT_INBOUND_LIMITS.maxPendingInbound)
  }
  return {
    limits,
    whitelist: (options.whitelist ?? []).map((value) => withFlag('--whitelist', () => parseWhitelistEntry(value))),
    deny: (options.deny ?? []).map((value) => withFlag('--deny', () => parseDenyEntry(value)))
  }
}

/** A flag whose value must be one of a fixed set (a config file's or environment's value is unchecked text). */
function oneOf<T extends string> (flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${flag}: "${value}" is not one of ${choices.join(', ')}`)
  return value as T
}

function conflicts (options: RunOptions): void {
  if ((options.connect ?? []).length > 0 && (options.addpeer ?? []).length > 0) {
    throw new UsageError('--connect cannot be combined with --addpeer (--connect means only these peers)')
  }
  if ((options.listen ?? []).length > 0 && options.nolisten === true) throw new UsageError('--listen cannot be combined with --nolisten')
  if (options.v2transport === true && options.nov2transport === true) throw new UsageError('--v2transport cannot be combined with --nov2transport')
}

/**
 * Checks every setting and derives the node's limits and defaults. Throws a UsageError (AddressParseError,
 * ChainParamsError, LogConfigError, BanInputError are ones too) naming the flag; nothing has started yet.
 */
export function buildNodeConfig (options: RunOptions): NodeConfig {
  conflicts(options)
  const params = chainParamsFromFlags({ ...options, ...(options.chainparams === undefined ? {} : { chainparams: expandHome(options.chainparams) }) })
  const port = params.defaultPort
  const hostPorts = (values: readonly string[] | undefined, flag: string): HostPort[] =>
    (values ?? []).map((v) => withFlag(`--${flag}`, () => parseHostPort(v, port)))

  const connect = hostPorts(options.connect, 'connect')
  const connectOnly = connect.length > 0
  const permanentPeers = connectOnly ? connect : hostPorts(options.addpeer, 'addpeer')
  const maxPeers = integer(options.maxpeers, 'maxpeers', 1, DEFAULT_MAX_PEERS)
  const limits = peerLimits({
    maxPeers,
    permanent: permanentPeers.length,
    automatic: !connectOnly,
    targetOutbound: integer(options.targetoutbound, 'targetoutbound', 0, DEFAULT_TARGET_OUTBOUND)
  })

  // Block-relay-only slots are automatic outbound too: none with --connect; they take inbound slots (Core).
  const blockRelayOnly = limits.targetOutbound === 0 ? 0 : Math.min(integer(options.blockrelayonly, 'blockrelayonly', 0, DEFAULT_BLOCK_RELAY_ONLY), limits.maxInbound)
  const onlyNets = [...new Set((options.onlynet ?? []).map((n) => withFlag('--onlynet', () => onlyNetNetwork(n))))]

  const durationMs = options.banduration === undefined ? DEFAULT_BAN_DURATION_MS : parseDuration(options.banduration, '--banduration')
  if (durationMs < MIN_BAN_DURATION_MS) throw new UsageError(`--banduration: "${options.banduration ?? ''}" is shorter than 1s`)

  const transport = transportFromFlags(options)
  if (onlyNets.includes('torv3') && transport.proxy === undefined && transport.onion === undefined) {
    throw new UsageError('--onlynet: onion needs --proxy or --onion (Tor is the only way to reach it)')
  }
  const dnsServers = dnsServersFromFlags(options.dnsserver, transport)

  // Like btcd: a proxy or --connect turns listening off unless --listen asks for it.
  const listen = options.nolisten === true
    ? []
    : options.listen !== undefined && options.listen.length > 0
      ? options.listen.map((l) => listenAddress(l, port))
      : transport.proxy !== undefined || connectOnly ? [] : [{ host: undefined, port }]

  const rpc = rpcConfig(options, params)
  const metrics = metricsConfig(options, params)
  const format: LogFormat = oneOf('logformat', options.logformat ?? DEFAULT_LOG_FORMAT, LOG_FORMATS)
  const debugLevel = options.debuglevel ?? DEFAULT_DEBUG_LEVEL
  withFlag('--debuglevel', () => parseDebugLevel(debugLevel))

  const datadir = expandHome(options.datadir ?? defaultDataDir(params.name))
  const asmap = options.asmap === undefined ? undefined : withFlag('--asmap', () => loadAsmap(options.asmap ?? '', datadir))

  return {
    params,
    datadir,
    outbound: { targetOutbound: limits.targetOutbound, permanentPeers, connectOnly, blockRelayOnly, feelers: options.nofeelers !== true, onlyNets, selection: oneOf('selection', options.selection ?? DEFAULT_SELECTION, SELECTIONS), rotation: integer(options.rotation, 'rotation', 0, DEFAULT_ROTATION_FACTOR), returnWindowMs: options.returnwindow === undefined ? DEFAULT_RETURN_WINDOW_MS : parseDuration(options.returnwindow, '--returnwindow') },
    inbound: { listen, maxInbound: limits.maxInbound - blockRelayOnly, externalIps: hostPorts(options.externalip, 'externalip').map((hp) => withFlag('--externalip', () => netAddressFrom(hp))) },
    maxPeers,
    sessions: { v2Transport: options.v2transport !== false && options.nov2transport !== true },
    ...(asmap === undefined ? {} : { asmap }),
    // Core: DNS seeds hand out IP addresses, useless when --onlynet allows neither IPv4 nor IPv6.
    seeding: { dnsSeed: options.nodnsseed !== true && !connectOnly && (onlyNets.length === 0 || onlyNets.includes('ipv4') || onlyNets.includes('ipv6')), seedNodes: hostPorts(options.seednode, 'seednode') },
    names: { dnsServers },
    transport,
    banning: {
      enabled: options.nobanning !== true,
      threshold: integer(options.banthreshold, 'banthreshold', 1, DEFAULT_BAN_THRESHOLD, MAX_BAN_THRESHOLD),
      durationMs
    },
    admission: admission(options),
    logging: { debugLevel, format, file: options.logfile === undefined ? undefined : expandHome(options.logfile) },
    ...statusPage(options),
    ...peerValueFromFlags(options),
    ...(rpc === undefined ? {} : { rpc }),
    ...(metrics === undefined ? {} : { metrics })
  }
}

/** --statuslisten and --statusallowip: off unless asked for; a non-loopback address needs an allow list. */
function statusPage (options: RunOptions): Pick<NodeConfig, 'statusPage'> {
  const listen = (options.statuslisten ?? []).map((v) => withFlag('--statuslisten', () => parseHostPort(v, DEFAULT_STATUS_PORT)))
  const allowIps = (options.statusallowip ?? []).map((v) => {
    // The subnet parser's error already names the flag; here it becomes a usage error (exit 2).
    try { return parseSubnet(v, '--statusallowip') } catch (err) { throw new UsageError((err as Error).message) }
  })
  if (listen.length === 0) {
    if (allowIps.length > 0) throw new UsageError('--statusallowip needs --statuslisten (the page is off without it)')
    return {}
  }
  withFlag('--statuslisten', () => { checkStatusBinds(listen, allowIps) })
  return { statusPage: { listen, allowIps } }
}
