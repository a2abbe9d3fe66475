import type { Argv, CommandModule } from 'yargs'
import { addrKey } from '../../netaddr/netaddress.ts'
import { UsageError } from '../../util/errors.ts'
import { nodeRpcTarget, rpcClient, RPC_CLIENT_FLAGS, type RpcClientArgs } from '../node-rpc.ts'
import { DATADIR_FLAGS } from '../options.ts'
import { formatPeers, type PeerRow } from '../peers-table.ts'

interface PeersArgs extends RpcClientArgs {
  json?: boolean
}

/** Runs `peerkeeper peers`; returns the exit status (1 when no node answers). */
export async function runPeers (argv: PeersArgs, io: { stdout(text: string): void, stderr(text: string): void, env: Readonly<Record<string, string | undefined>> }): Promise<number> {
  if ((argv.rpcuser === undefined) !== (argv.rpcpass === undefined)) throw new UsageError('--rpcuser and --rpcpass go together: give both or neither')
  const target = await nodeRpcTarget(argv, io.env)
  const client = rpcClient(target)
  try {
    const peers = await client.call('getpeerinfo') as PeerRow[]
    if (argv.json === true) {
      io.stdout(`${JSON.stringify(peers, null, 2)}\n`)
      return 0
    }
    const info = await client.call('getnetworkinfo') as { subversion: string }
    io.stdout(formatPeers(peers, { subversion: info.subversion, where: addrKey(target.where) }, Date.now() / 1000))
    return 0
  } catch (err) {
    const e = err as Error
    if (!['NoNodeRunningError', 'AuthError', 'RpcTransportError', 'RpcResponseError', 'CookieError'].includes(e.name)) throw err
    io.stderr(`peerkeeper: ${e.message}\n`)
    return 1
  }
}

/** `peerkeeper peers`: its flags and handler (its name and description are in src/cli/command-table.ts). */
export const peersCommand: CommandModule<object, PeersArgs> = {
  builder: (yargs: Argv) => yargs
    .options(DATADIR_FLAGS)
    .options({ ...RPC_CLIENT_FLAGS, json: { type: 'boolean', describe: 'print getpeerinfo\'s JSON instead' } }) as unknown as Argv<PeersArgs>,
  handler: async (argv) => {
    process.exitCode = await runPeers(argv, {
      stdout: (text) => { process.stdout.write(text) },
      stderr: (text) => { process.stderr.write(text) },
      env: process.env
    })
  }
}
