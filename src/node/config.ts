import { homedir } from 'node:os'
import { join } from 'node:path'
import type { ChainParams } from '../chainparams/chainparams.ts'
import { DEFAULT_BAN_DURATION_MS } from '../banlist/ban-list.ts'
import { DEFAULT_TARGET_OUTBOUND } from '../connmgr/config.ts'
import { DEFAULT_BAN_THRESHOLD } from '../peer/constants.ts'
import { parseDuration } from '../cli/duration.ts'
import { parseDebugLevel } from '../log/levels.ts'
import type { LogFormat } from '../log/winston.ts'
import { parseHostPort, type HostPort } from '../netaddr/netaddress.ts'
import type { TransportOptions } from '../transport/create-dialer.ts'
import { chainParamsFromFlags, dnsServersFromFlags, transportFromFlags } from '../cli/net-options.ts'
import type { BanTarget } from '../banlist/ban-target.ts'
import { parseWhitelist } from './whitelist.ts'
import { UsageError } from '../util/errors.ts'

/**
 * The settings of `peerkeeper run` as they arrive from flags, PEERKEEPER_* variables and the config file:
 * raw strings and numbers, every one optional. buildNodeConfig turns them into a checked NodeConfig.
 */
export interface RunOptions {
  network?: string
  chainparams?: string
  addpeer?: readonly string[]
  connect?: readonly string[]
  targetoutbound?: number
  maxpeers?: number
  nodnsseed?: boolean
  dnsserver?: readonly string[]
  seednode?: readonly string[]
  proxy?: string
  proxyuser?: string
  proxypass?: string
  onion?: string
  noonion?: boolean
  torisolation?: boolean
  banthreshold?: number
  banduration?: string
  nobanning?: boolean
  whitelist?: readonly string[]
  listen?: readonly string[]
  nolisten?: boolean
  datadir?: string
  debuglevel?: string
  logformat?: string
  logfile?: string
}

/** A listening address; `host` undefined means every interface (IPv6 and IPv4 where the system allows). */
export interface ListenAddress {
  readonly host: string | undefined
  readonly port: number
}

/** Everything the node needs, checked: createNode takes this and nothing from the environment. */
export interface NodeConfig {
  readonly params: ChainParams
  /** --addpeer or --connect peers, dialed permanently with backoff; names are resolved at start. */
  readonly permanentPeers: readonly HostPort[]
  /** --connect: only the permanent peers, no automatic outbound, no DNS seeding. */
  readonly connectOnly: boolean
  /** Automatic outbound connections kept open (btcd's arithmetic: 0 when connect-only or full). */
  readonly targetOutbound: number
  readonly maxPeers: number
  /** Inbound slots: what --maxpeers leaves after the permanent and automatic outbound ones. */
  readonly maxInbound: number
  readonly dnsSeed: boolean
  /** Resolvers for DNS seeding and names; empty = the system's (/etc/resolv.conf). */
  readonly dnsServers: readonly HostPort[]
  /** --seednode: peers asked for addresses when the book is empty. */
  readonly seedNodes: readonly HostPort[]
  /** --proxy, --proxyuser, --proxypass, --onion, --noonion, --torisolation, as the dialer takes them. */
  readonly transport: Omit<TransportOptions, 'connectTimeoutMs'>
  readonly banThreshold: number
  readonly banDurationMs: number
  readonly banning: boolean
  /** Peers in these subnets are never scored or banned. */
  readonly whitelist: readonly BanTarget[]
  /** Empty = no inbound connections. */
  readonly listen: readonly ListenAddress[]
  readonly datadir: string
  readonly logging: { readonly debugLevel: string, readonly format: LogFormat, readonly file: string | undefined }
}

/** btcd's --maxpeers default (Core's -maxconnections is 125 too). */
export const DEFAULT_MAX_PEERS = 125
/** btcd refuses shorter bans: below a second a ban is meaningless at the score's 1 s resolution. */
const MIN_BAN_DURATION_MS = 1_000
const LOG_FORMATS: readonly LogFormat[] = ['text', 'json']

/** The default data directory of a network: ~/.peerkeeper/<network>. */
export function defaultDataDir (network: string): string {
  return join(homedir(), '.peerkeeper', network)
}

/** `~/x` → the home directory's x, as a shell would do for flags (config files and env do not expand). */
export function expandHome (path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path
}

export interface PeerLimits {
  readonly targetOutbound: number
  readonly maxInbound: number
}

/**
 * btcd's server arithmetic (semantics §5): the automatic target is what --maxpeers leaves after the
 * permanent peers, at most --targetoutbound; inbound gets the slots no outbound connection reserves.
 */
export function peerLimits (init: { maxPeers: number, permanent: number, automatic: boolean, targetOutbound: number }): PeerLimits {
  const { maxPeers, permanent, automatic } = init
  const targetOutbound = !automatic || permanent >= maxPeers ? 0 : Math.min(maxPeers - permanent, init.targetOutbound)
  const reserved = Math.min(permanent + targetOutbound, maxPeers)
  return { targetOutbound, maxInbound: Math.max(maxPeers - reserved, 0) }
}

function integer (value: number | undefined, flag: string, min: number, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${flag}: expected an integer >= ${min}, got ${String(value)}`)
  return value
}

function listenAddress (input: string, defaultPort: number): ListenAddress {
  // ":PORT" (btcd's form) and "PORT" alone mean every interface.
  const bare = /^:?(\d+)$/.exec(input.trim())
  if (bare !== null) return { host: undefined, port: parseHostPort(`0.0.0.0:${bare[1] ?? ''}`, defaultPort, '--listen').port }
  return parseHostPort(input, defaultPort, '--listen')
}

function conflicts (options: RunOptions): void {
  if ((options.connect ?? []).length > 0 && (options.addpeer ?? []).length > 0) {
    throw new UsageError('--connect cannot be combined with --addpeer (--connect means only these peers)')
  }
  if ((options.listen ?? []).length > 0 && options.nolisten === true) throw new UsageError('--listen cannot be combined with --nolisten')
}

/**
 * Checks every setting and derives the node's limits. Throws a UsageError (or another usage-class
 * error: AddressParseError, ChainParamsError, LogConfigError) naming the flag; nothing has started yet.
 */
export function buildNodeConfig (options: RunOptions): NodeConfig {
  conflicts(options)
  const chain = chainParamsFromFlags({ ...options, ...(options.chainparams === undefined ? {} : { chainparams: expandHome(options.chainparams) }) })
  const port = chain.defaultPort
  const hostPorts = (values: readonly string[] | undefined, flag: string): HostPort[] =>
    (values ?? []).map((v) => parseHostPort(v, port, `--${flag}`))

  const connect = hostPorts(options.connect, 'connect')
  const addpeer = hostPorts(options.addpeer, 'addpeer')
  const connectOnly = connect.length > 0
  const permanentPeers = connectOnly ? connect : addpeer
  const maxPeers = integer(options.maxpeers, 'maxpeers', 1, DEFAULT_MAX_PEERS)
  const limits = peerLimits({
    maxPeers,
    permanent: permanentPeers.length,
    automatic: !connectOnly,
    targetOutbound: integer(options.targetoutbound, 'targetoutbound', 0, DEFAULT_TARGET_OUTBOUND)
  })

  const banDurationMs = options.banduration === undefined ? DEFAULT_BAN_DURATION_MS : parseDuration(options.banduration, '--banduration')
  if (banDurationMs < MIN_BAN_DURATION_MS) throw new UsageError(`--banduration: "${options.banduration ?? ''}" is shorter than 1s`)

  const transport = transportFromFlags(options)

  // Like btcd: a proxy or --connect turns listening off unless --listen asks for it.
  const listen = options.nolisten === true
    ? []
    : options.listen !== undefined && options.listen.length > 0
      ? options.listen.map((l) => listenAddress(l, port))
      : transport.proxy !== undefined || connectOnly ? [] : [{ host: undefined, port }]

  const format = options.logformat ?? 'text'
  if (!(LOG_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--logformat: "${format}" is not one of ${LOG_FORMATS.join(', ')}`)
  const debugLevel = options.debuglevel ?? 'info'
  parseDebugLevel(debugLevel)

  return {
    params: chain,
    permanentPeers,
    connectOnly,
    targetOutbound: limits.targetOutbound,
    maxPeers,
    maxInbound: limits.maxInbound,
    dnsSeed: options.nodnsseed !== true && !connectOnly,
    dnsServers: dnsServersFromFlags(options.dnsserver),
    seedNodes: hostPorts(options.seednode, 'seednode'),
    transport,
    banThreshold: integer(options.banthreshold, 'banthreshold', 1, DEFAULT_BAN_THRESHOLD),
    banDurationMs,
    banning: options.nobanning !== true,
    whitelist: parseWhitelist(options.whitelist ?? []),
    listen,
    datadir: expandHome(options.datadir ?? defaultDataDir(chain.name)),
    logging: { debugLevel, format: format as LogFormat, file: options.logfile === undefined ? undefined : expandHome(options.logfile) }
  }
}
