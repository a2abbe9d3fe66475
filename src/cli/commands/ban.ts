import type { Argv, CommandModule } from 'yargs'
import { BanList, DEFAULT_BAN_DURATION_MS } from '../../banlist/ban-list.ts'
import type { BanEntry } from '../../banlist/ban-list.ts'
import { parseBanTarget } from '../../banlist/ban-target.ts'
import { systemClock } from '../../util/clock.ts'
import { formatDuration, parseDuration } from '../duration.ts'
import { DATADIR_FLAGS, isoTime, readDataDir, withDataDirStore } from '../options.ts'
import type { NodeStore } from '../../store/node-store.ts'
import { UsageError } from '../../util/errors.ts'
import type { RpcClient } from '../../rpc/client.ts'
import { runningNode, RPC_CLIENT_FLAGS, type RpcClientArgs } from '../node-rpc.ts'

const DEFAULT_DURATION = formatDuration(DEFAULT_BAN_DURATION_MS)
const DEFAULT_REASON = 'manual'

interface TargetArgs extends RpcClientArgs {
  target: string
}

interface AddArgs extends TargetArgs {
  duration: string
  reason: string
}

/** The canonical target, or a UsageError naming the argument (checked before the data directory is touched). */
function checkedTarget (target: string): string {
  try {
    return parseBanTarget(target).key
  } catch (err) {
    throw new UsageError(`<target>: ${(err as Error).message}`)
  }
}

/** The data directory's bans, loaded into a ban list whose changes are written at once. */
function boundBanList (store: NodeStore): BanList {
  const bans = new BanList({ clock: systemClock })
  store.bindBanList(bans)
  return bans
}

function banLine (e: BanEntry, width: number): string {
  return `${e.target.padEnd(width)}  until ${isoTime(e.expiresMs)}  since ${isoTime(e.createdMs)}  ${e.reason}`
}

const targetPositional = (yargs: Argv): Argv<RpcClientArgs & { target: string }> => yargs
  .positional('target', { type: 'string', demandOption: true, describe: 'IP address, CIDR subnet (IP/prefix) or .onion/.i2p host' })
  .options({ ...DATADIR_FLAGS, ...RPC_CLIENT_FLAGS })

/** listbanned's entries as the ban list's (times back in ms). */
async function rpcBans (client: RpcClient): Promise<BanEntry[]> {
  const rows = await client.call('listbanned') as Array<{ address: string, reason: string, ban_created: number, banned_until: number }>
  return rows.map((r) => ({ target: r.address, reason: r.reason, createdMs: r.ban_created * 1000, expiresMs: r.banned_until * 1000 }))
}

/**
 * `ban add` on a running node: setban, with the offline rule that a longer ban in force is kept and a
 * shorter one replaced (setban alone refuses any ban already there, as Core's does).
 */
async function addOverRpc (client: RpcClient, target: string, durationMs: number, reason: string): Promise<{ entry: BanEntry, created: boolean }> {
  const existing = (await rpcBans(client)).find((e) => e.target === target)
  if (existing !== undefined && existing.expiresMs >= Date.now() + durationMs) return { entry: existing, created: false }
  if (existing !== undefined) await client.call('setban', [target, 'remove'])
  await client.call('setban', [target, 'add', Math.ceil(durationMs / 1000), false, reason])
  const entry = (await rpcBans(client)).find((e) => e.target === target)
  if (entry === undefined) throw new Error(`the node did not keep the ban on ${target}`)
  return { entry, created: true }
}

const addCommand: CommandModule<object, AddArgs> = {
  command: 'add <target>',
  describe: 'Ban an address or subnet (a longer ban already in force is kept)',
  builder: (yargs: Argv) => targetPositional(yargs).options({
    duration: { type: 'string', default: DEFAULT_DURATION, requiresArg: true, describe: 'how long (s, m, h or d units)' },
    reason: { type: 'string', default: DEFAULT_REASON, requiresArg: true, describe: 'why, shown by ban list' }
  }),
  handler: async (argv) => {
    const target = checkedTarget(argv.target)
    const durationMs = parseDuration(argv.duration, '--duration')
    if (durationMs <= 0) throw new UsageError(`--duration: "${argv.duration}" must be longer than 0`)
    const client = await runningNode(argv, process.env)
    const { entry, created } = client !== undefined ? await addOverRpc(client, target, durationMs, argv.reason) : await withDataDirStore(argv, (store) => {
      const bans = boundBanList(store)
      let added: BanEntry | undefined
      bans.on('changed', (change) => { if (change.type === 'added') added = change.entry })
      const result = bans.ban(target, { durationMs, reason: argv.reason })
      return { entry: result, created: added !== undefined }
    })
    process.stdout.write(created
      ? `banned ${entry.target} until ${isoTime(entry.expiresMs)} (${entry.reason})\n`
      : `${entry.target} stays banned until ${isoTime(entry.expiresMs)} (${entry.reason}): that ban is longer\n`)
  }
}

const removeCommand: CommandModule<object, TargetArgs> = {
  command: 'remove <target>',
  describe: 'Lift the ban on exactly this address or subnet',
  builder: targetPositional,
  handler: async (argv) => {
    const target = checkedTarget(argv.target)
    const client = await runningNode(argv, process.env)
    if (client !== undefined) {
      if (!(await rpcBans(client)).some((e) => e.target === target)) throw new Error(`${target} has no ban of its own on the running node`)
      await client.call('setban', [target, 'remove'])
    } else {
      await withDataDirStore(argv, (store) => {
      const bans = boundBanList(store)
      if (bans.unban(target)) return
      const cover = bans.match(target)
      throw new Error(cover === undefined || cover.target === target
        ? `${target} is not banned`
        : `${target} has no ban of its own; it is covered by the ban on ${cover.target} (remove that instead)`)
      })
    }
    process.stdout.write(`unbanned ${target}\n`)
  }
}

const listCommand: CommandModule<object, RpcClientArgs & { json?: boolean }> = {
  command: 'list',
  describe: 'The bans in force, oldest first (read only: the data directory is not changed)',
  builder: (yargs: Argv) => yargs.options({ ...DATADIR_FLAGS, ...RPC_CLIENT_FLAGS, json: { type: 'boolean', describe: 'print a JSON array' } }),
  handler: async (argv) => {
    const client = await runningNode(argv, process.env)
    let entries: BanEntry[]
    if (client !== undefined) {
      entries = await rpcBans(client)
    } else {
      const bans = new BanList({ clock: systemClock })
      bans.load((await readDataDir(argv)).bans)
      entries = bans.list()
    }
    if (argv.json === true) {
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`)
      return
    }
    const width = Math.max(0, ...entries.map((e) => e.target.length))
    process.stdout.write(entries.length === 0 ? 'no bans\n' : entries.map((e) => `${banLine(e, width)}\n`).join(''))
  }
}

/** `peerkeeper ban add|remove|list`: the running node's bans over its RPC, else the data directory's. */
export const banCommand: CommandModule = {
  builder: (yargs: Argv) => yargs
    .command(addCommand)
    .command(removeCommand)
    .command(listCommand)
    .demandCommand(1, 'Name a ban command: add, remove or list.'),
  handler: () => {}
}
