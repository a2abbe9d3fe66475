import type { Argv, CommandModule } from 'yargs'
import { addrKey } from '../../netaddr/netaddress.ts'
import { cookiePath } from '../../rpc/cookie.ts'
import type { RpcParams } from '../../rpc/protocol.ts'
import { parseDuration } from '../duration.ts'
import { UsageError } from '../../util/errors.ts'
import { nodeRpcTarget, rpcClient, RPC_CLIENT_FLAGS, type RpcClientArgs } from '../node-rpc.ts'
import { DATADIR_FLAGS } from '../options.ts'

export interface RpcCliArgs extends RpcClientArgs {
  method: string
  args?: string[]
  rpcclienttimeout?: string
  named?: boolean
}

export interface RpcCliIo {
  stdout(text: string): void
  stderr(text: string): void
  env: Readonly<Record<string, string | undefined>>
}

const DEFAULT_TIMEOUT = '60s'

/** An argument as bitcoin-cli reads one: JSON when it parses as JSON, else the text itself. */
export function cliArgValue (text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** Positional args, or with --named `NAME=VALUE` args as an object (bitcoin-cli's -named). */
export function cliParams (args: readonly string[], named: boolean): RpcParams {
  if (!named) return args.map(cliArgValue)
  const params: Record<string, unknown> = {}
  for (const arg of args) {
    const eq = arg.indexOf('=')
    if (eq <= 0) throw new UsageError(`--named: argument "${arg}" is not NAME=VALUE`)
    params[arg.slice(0, eq)] = cliArgValue(arg.slice(eq + 1))
  }
  return params
}

/** The result as bitcoin-cli prints it: a string raw, null as nothing, anything else as indented JSON. */
export function formatResult (result: unknown): string {
  if (result === null || result === undefined) return ''
  return typeof result === 'string' ? `${result}\n` : `${JSON.stringify(result, null, 2)}\n`
}

/**
 * `peerkeeper cli METHOD [ARGS…]`: calls the node of a data directory and prints the result. Returns
 * the exit status: 0 ok, 1 for an RPC error (printed as bitcoin-cli does) or when no node answers;
 * bad flags throw UsageError (exit 2).
 */
export async function runRpcCli (argv: RpcCliArgs, io: RpcCliIo): Promise<number> {
  if ((argv.rpcuser === undefined) !== (argv.rpcpass === undefined)) throw new UsageError('--rpcuser and --rpcpass go together: give both or neither')
  const timeoutMs = parseDuration(argv.rpcclienttimeout ?? DEFAULT_TIMEOUT, '--rpcclienttimeout')
  if (timeoutMs <= 0) throw new UsageError(`--rpcclienttimeout: "${argv.rpcclienttimeout ?? ''}" must be longer than 0`)
  const params = cliParams(argv.args ?? [], argv.named === true)
  const target = await nodeRpcTarget(argv, io.env)
  const { datadir, where, auth } = target
  const client = rpcClient(target, timeoutMs)
  try {
    io.stdout(formatResult(await client.call(argv.method, params)))
    return 0
  } catch (err) {
    const e = err as Error & { code?: number }
    if (e.name === 'RpcResponseError') {
      io.stderr(`error code: ${String(e.code)}\nerror message:\n${e.message}\n`)
    } else if (e.name === 'AuthError' && auth === undefined) {
      io.stderr(`peerkeeper: no RPC cookie at ${cookiePath(datadir)} and no --rpcuser/--rpcpass, so the node on ${addrKey(where)} refused the call\n`)
    } else if (['NoNodeRunningError', 'AuthError', 'RpcTransportError', 'CookieError'].includes(e.name)) {
      io.stderr(`peerkeeper: ${e.message}\n`)
    } else {
      throw err
    }
    return 1
  }
}

/** `peerkeeper cli`: its flags and handler (its name and description are in src/cli/command-table.ts). */
export const cliCommand: CommandModule<object, RpcCliArgs> = {
  builder: (yargs: Argv) => yargs
    .positional('method', { type: 'string', demandOption: true, describe: 'the RPC method, e.g. getpeerinfo' })
    .positional('args', { type: 'string', array: true, describe: 'its arguments: JSON where they parse as JSON, else strings' })
    .options(DATADIR_FLAGS)
    .options({
      ...RPC_CLIENT_FLAGS,
      rpcclienttimeout: { type: 'string', requiresArg: true, group: 'RPC:', describe: 'give up after this long (s, m, h units)', defaultDescription: DEFAULT_TIMEOUT },
      named: { type: 'boolean', group: 'RPC:', describe: 'pass arguments as NAME=VALUE (bitcoin-cli -named)' }
    }) as unknown as Argv<RpcCliArgs>,
  handler: async (argv) => {
    process.exitCode = await runRpcCli(argv, {
      stdout: (text) => { process.stdout.write(text) },
      stderr: (text) => { process.stderr.write(text) },
      env: process.env
    })
  }
}
