import type { Argv, CommandModule } from 'yargs'
import { listRecords, type AddressRecordJson } from '../../addrbook/record-json.ts'
import { countFlag, DATADIR_FLAGS, isoTime, readDataDir } from '../options.ts'
import { runningNode, RPC_CLIENT_FLAGS, type RpcClientArgs } from '../node-rpc.ts'

interface ListArgs extends RpcClientArgs {
  json?: boolean
  limit?: string
}

function toLine (r: AddressRecordJson, width: number): string {
  const when = (s: number): string => s === 0 ? 'never' : isoTime(s * 1000)
  return [
    r.address.padEnd(width),
    r.table.padEnd(5),
    `services=0x${BigInt(r.services).toString(16)}`,
    `seen=${when(r.lastSeen)}`,
    `attempts=${r.attempts}`,
    `success=${when(r.lastSuccess)}`
  ].join('  ')
}

/** new/tried/total: from the running node (getaddrmaninfo), else from the data directory. */
async function addressCounts (argv: RpcClientArgs): Promise<{ new: number, tried: number, total: number }> {
  const client = await runningNode(argv, process.env)
  if (client !== undefined) {
    const all = (await client.call('getaddrmaninfo') as { all_networks: { new: number, tried: number, total: number } }).all_networks
    return { new: all.new, tried: all.tried, total: all.total }
  }
  const records = (await readDataDir(argv)).addrRecords
  const tried = records.filter((r) => r.tried).length
  return { new: records.length - tried, tried, total: records.length }
}

const countCommand: CommandModule<object, RpcClientArgs & { json?: boolean }> = {
  command: 'count',
  describe: 'How many addresses are in the new and tried tables (of the running node, if one runs)',
  builder: (yargs: Argv) => yargs.options({ ...DATADIR_FLAGS, ...RPC_CLIENT_FLAGS, json: { type: 'boolean', describe: 'print one JSON object' } }),
  handler: async (argv) => {
    const counts = await addressCounts(argv)
    process.stdout.write(argv.json === true
      ? `${JSON.stringify(counts)}\n`
      : `new    ${counts.new}\ntried  ${counts.tried}\ntotal  ${counts.total}\n`)
  }
}

const listCommand: CommandModule<object, ListArgs> = {
  command: 'list',
  describe: 'The addresses, tried first, then the most recently seen',
  builder: (yargs: Argv) => yargs.options({
    ...DATADIR_FLAGS,
    ...RPC_CLIENT_FLAGS,
    json: { type: 'boolean', describe: 'print a JSON array' },
    limit: { type: 'string', requiresArg: true, describe: 'at most N addresses' }
  }),
  handler: async (argv) => {
    const limit = countFlag(argv.limit, '--limit')
    const client = await runningNode(argv, process.env)
    const shown = client !== undefined
      ? await client.call('listaddresses', [limit ?? 0]) as AddressRecordJson[]
      : listRecords((await readDataDir(argv)).addrRecords, limit)
    if (argv.json === true) {
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
      return
    }
    const width = Math.max(0, ...shown.map((r) => r.address.length))
    process.stdout.write(shown.map((r) => `${toLine(r, width)}\n`).join(''))
  }
}

/**
 * `peerkeeper addrbook count|list`: from the running node over RPC when one runs (getaddrmaninfo,
 * peerkeeper's listaddresses), else from the data directory.
 */
export const addrbookCommand: CommandModule = {
  builder: (yargs: Argv) => yargs
    .command(countCommand)
    .command(listCommand)
    .demandCommand(1, 'Name an addrbook command: count or list.'),
  handler: () => {}
}
