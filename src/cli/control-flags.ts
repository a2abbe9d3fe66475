import type { Options } from 'yargs'
import type { ChainParams } from '../chainparams/chainparams.ts'
import { parseSubnet } from '../http/subnet.ts'
import { parseHostPort, type HostPort } from '../netaddr/netaddress.ts'
import type { NodeConfig } from '../node/config.ts'
import { parseRpcAuth } from '../rpc/auth.ts'
import { checkRpcBinds, defaultRpcBinds, rpcPortOf } from '../rpc/binds.ts'
import { UsageError } from '../util/errors.ts'
import type { FlagValues } from './config-file.ts'
import { withFlag } from './errors.ts'

const GROUP = 'Control (RPC and metrics):'

/** The flags of the JSON-RPC server and the metrics endpoint (part of RUN_FLAGS). */
export const CONTROL_FLAGS = {
  rpclisten: { type: 'string', array: true, requiresArg: true, group: GROUP, describe: 'serve JSON-RPC on HOST:PORT (repeatable); non-loopback needs --rpcallowip', defaultDescription: '127.0.0.1 and the network\'s RPC port' },
  norpc: { type: 'boolean', group: GROUP, describe: 'no JSON-RPC server (and no .cookie)' },
  rpcallowip: { type: 'string', array: true, requiresArg: true, group: GROUP, describe: 'also accept RPC clients from this IP or CIDR (repeatable)' },
  rpcuser: { type: 'string', requiresArg: true, group: GROUP, describe: 'RPC user (with --rpcpass); the .cookie works as well' },
  rpcpass: { type: 'string', requiresArg: true, group: GROUP, describe: 'RPC password; given, no .cookie is written (Core\'s rule)' },
  rpcauth: { type: 'string', array: true, requiresArg: true, group: GROUP, describe: 'USER:SALT$HASH, Core\'s salted RPC login (repeatable)' },
  metricslisten: { type: 'string', array: true, requiresArg: true, group: GROUP, describe: 'serve /metrics, /healthz and /readyz on HOST:PORT (repeatable)', defaultDescription: 'off' }
} as const satisfies Record<string, Options>

/** What the control flags arrive as (part of RunOptions). */
export type ControlOptions = FlagValues<typeof CONTROL_FLAGS>

/** A library check that names its flag itself (RpcConfigError, …) as a usage error. */
function usage<T> (check: () => T): T {
  try {
    return check()
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError((err as Error).message)
  }
}

function binds (values: readonly string[], port: number, flag: string): HostPort[] {
  return values.map((v) => withFlag(flag, () => parseHostPort(v, port)))
}

/** The RPC slice: on by default on loopback and the network's RPC port; checked here so a bad flag stops `run` before anything starts. */
export function rpcConfig (options: ControlOptions, params: ChainParams): NodeConfig['rpc'] {
  const given = ['rpclisten', 'rpcallowip', 'rpcuser', 'rpcpass', 'rpcauth'] as const
  if (options.norpc === true) {
    const clash = given.find((k) => { const v = options[k]; return v !== undefined && (typeof v === 'string' || v.length > 0) })
    if (clash !== undefined) throw new UsageError(`--norpc cannot be combined with --${clash}`)
    return undefined
  }
  const listen = options.rpclisten !== undefined && options.rpclisten.length > 0
    ? binds(options.rpclisten, rpcPortOf(params), '--rpclisten')
    : defaultRpcBinds(rpcPortOf(params))
  const allowIps = options.rpcallowip ?? []
  usage(() => { checkRpcBinds(listen, allowIps.map((a) => parseSubnet(a, '--rpcallowip'))) })
  if ((options.rpcuser === undefined) !== (options.rpcpass === undefined)) throw new UsageError('--rpcuser and --rpcpass go together: give both or neither')
  if (options.rpcuser !== undefined && (options.rpcuser === '' || options.rpcuser.includes(':'))) throw new UsageError(`--rpcuser: "${options.rpcuser}" must be non-empty and contain no ":"`)
  if (options.rpcpass === '') throw new UsageError('--rpcpass: must not be empty')
  const rpcAuth = options.rpcauth ?? []
  usage(() => rpcAuth.map((entry) => parseRpcAuth(entry)))
  return {
    listen,
    allowIps,
    rpcAuth,
    ...(options.rpcuser === undefined || options.rpcpass === undefined ? {} : { user: options.rpcuser, password: options.rpcpass }),
    // Core writes the cookie unless -rpcpassword is set.
    cookie: options.rpcpass === undefined
  }
}

/** The metrics slice: off unless --metricslisten names where. */
export function metricsConfig (options: ControlOptions, params: ChainParams): NodeConfig['metrics'] {
  const listen = options.metricslisten ?? []
  if (listen.length === 0) return undefined
  return { listen: binds(listen, rpcPortOf(params), '--metricslisten') }
}
