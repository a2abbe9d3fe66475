import { parseHostPort, type HostPort } from '../netaddr/netaddress.ts'
import type { UserPassword } from '../rpc/auth.ts'
import { rpcPortOf } from '../rpc/binds.ts'
import { RpcClient } from '../rpc/client.ts'
import { readCookie } from '../rpc/cookie.ts'
import { systemClock } from '../util/clock.ts'
import { dataDirLocation, type DataDirArgs } from './options.ts'

/** The flags that say where a node's RPC is and how to log in (shared by cli, peers, ban and addrbook). */
export const RPC_CLIENT_FLAGS = {
  rpcconnect: { type: 'string', requiresArg: true, group: 'RPC:', describe: 'the node\'s RPC address HOST[:PORT]', defaultDescription: '127.0.0.1 and the network\'s RPC port' },
  rpcuser: { type: 'string', requiresArg: true, group: 'RPC:', describe: 'RPC user (with --rpcpass); without, the data directory\'s .cookie' },
  rpcpass: { type: 'string', requiresArg: true, group: 'RPC:', describe: 'RPC password' }
} as const

export interface RpcClientArgs extends DataDirArgs {
  rpcconnect?: string | undefined
  rpcuser?: string | undefined
  rpcpass?: string | undefined
}

/** A short wait for a node that may or may not run: a live node answers at once. */
const PROBE_TIMEOUT_MS = 5_000
const DEFAULT_RPC_HOST = '127.0.0.1'

export interface NodeRpcTarget {
  datadir: string
  where: HostPort
  /** Undefined when there is no cookie and no --rpcuser/--rpcpass. */
  auth: UserPassword | undefined
}

/** Where the node of these flags listens and the login to use (the cookie unless --rpcuser/--rpcpass). */
export async function nodeRpcTarget (argv: RpcClientArgs, env: Readonly<Record<string, string | undefined>>): Promise<NodeRpcTarget> {
  const { datadir, params } = dataDirLocation(argv, env)
  const where = parseHostPort(argv.rpcconnect ?? DEFAULT_RPC_HOST, rpcPortOf(params), '--rpcconnect')
  const auth = argv.rpcuser !== undefined && argv.rpcpass !== undefined ? { user: argv.rpcuser, password: argv.rpcpass } : await readCookie(datadir)
  return { datadir, where, auth }
}

export function rpcClient (target: NodeRpcTarget, timeoutMs?: number): RpcClient {
  return new RpcClient({ clock: systemClock }, { ...target.where, ...(target.auth === undefined ? {} : { auth: target.auth }), ...(timeoutMs === undefined ? {} : { timeoutMs }) })
}

/**
 * The running node's RPC for an offline-capable command (ban, addrbook): a client when the data
 * directory has a cookie (or --rpcuser/--rpcpass are given) and the node answers; undefined when no
 * node runs there (no cookie or an unreadable one, or a cookie left by a node that is gone), so the command reads the
 * database instead.
 */
export async function runningNode (argv: RpcClientArgs, env: Readonly<Record<string, string | undefined>>): Promise<RpcClient | undefined> {
  let target: NodeRpcTarget
  try {
    target = await nodeRpcTarget(argv, env)
  } catch (err) {
    // An unreadable cookie (the data directory is a file, say): the database path says what is wrong.
    if ((err as Error).name === 'CookieError') return undefined
    throw err
  }
  if (target.auth === undefined) return undefined
  const client = rpcClient(target, PROBE_TIMEOUT_MS)
  try {
    await client.call('uptime')
    return client
  } catch (err) {
    if ((err as Error).name === 'NoNodeRunningError') return undefined
    throw err
  }
}
