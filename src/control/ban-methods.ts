import type { BanEntry } from '../banlist/ban-list.ts'
import { parseBanTarget, type BanTarget } from '../banlist/ban-target.ts'
import { RpcError } from '../rpc/errors.ts'
import { rpcMethod, type RpcMethod } from '../rpc/methods.ts'
import { RPC_ERROR } from '../rpc/protocol.ts'
import type { ControlContext } from './context.ts'

const CATEGORY = 'Network'
/** What `setban` records as the reason when none is given (as `peerkeeper ban add`). */
export const MANUAL_BAN_REASON = 'manual'

function target (subnet: string): BanTarget {
  try {
    return parseBanTarget(subnet)
  } catch {
    throw new RpcError(RPC_ERROR.CLIENT_INVALID_IP_OR_SUBNET, 'Error: Invalid IP/Subnet')
  }
}

/** A listbanned entry: Core's fields (Unix seconds), plus the reason. */
export function bannedInfo (entry: BanEntry, nowMs: number, wallOffsetMs: number): Record<string, unknown> {
  const s = (ms: number): number => Math.floor(ms / 1000)
  return {
    address: entry.target,
    ban_created: s(entry.createdMs + wallOffsetMs),
    banned_until: s(entry.expiresMs + wallOffsetMs),
    ban_duration: s(entry.expiresMs - entry.createdMs),
    time_remaining: Math.max(0, s(entry.expiresMs - nowMs)),
    reason: entry.reason
  }
}

/** How long a setban lasts: its bantime (seconds, or a Unix time with absolute), or the node's ban duration. */
function durationMs (ctx: ControlContext, bantime: number | undefined, absolute: boolean): number | undefined {
  if (bantime === undefined || bantime === 0) return undefined
  if (bantime < 0) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, `setban: bantime ${bantime} must not be negative`)
  const ms = absolute ? bantime * 1000 - Date.now() : bantime * 1000
  if (ms <= 0) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, 'Error: Absolute timestamp is in the past')
  return ms
}

/** setban, listbanned, clearbanned: the ban list of the running node (written to its store at once). */
export function banMethods (ctx: ControlContext): Record<string, RpcMethod> {
  const wallOffset = (): number => Date.now() - ctx.clock.now()
  return {
    setban: rpcMethod({
      category: CATEGORY,
      params: [
        { name: 'subnet', type: 'string', description: 'IP or IP/prefix (a bare IP bans that address)' },
        { name: 'command', type: 'string', description: '"add" or "remove"' },
        { name: 'bantime', type: 'number', optional: true, description: 'seconds (0 or absent: the node\'s --banduration), or a Unix time with absolute' },
        { name: 'absolute', type: 'boolean', optional: true, description: 'bantime is a Unix time' },
        { name: 'reason', type: 'string', optional: true, description: `peerkeeper's: why, shown by listbanned (default "${MANUAL_BAN_REASON}")` }
      ],
      help: 'Bans an address or subnet (its live connections are closed at once) or lifts a ban. Saved in the data directory at once.\n\nResult: null.',
      handler: ({ subnet, command, bantime, absolute, reason }) => {
        if (command !== 'add' && command !== 'remove') {
          throw new RpcError(RPC_ERROR.INVALID_PARAMS, `setban: parameter "command" (position 2) must be "add" or "remove", got ${JSON.stringify(command)}`)
        }
        const parsed = target(subnet)
        const single = !subnet.includes('/')
        if (command === 'remove') {
          if (!ctx.banList.unban(parsed.key)) throw new RpcError(RPC_ERROR.CLIENT_INVALID_IP_OR_SUBNET, 'Error: Unban failed. Requested address/subnet was not previously manually banned.')
          return null
        }
        const exact = ctx.banList.list().some((e) => e.target === parsed.key)
        if (exact || (single && ctx.banList.isBanned(parsed.key))) throw new RpcError(RPC_ERROR.CLIENT_NODE_ALREADY_ADDED, 'Error: IP/Subnet already banned')
        const ms = durationMs(ctx, bantime, absolute === true)
        ctx.banList.ban(parsed.key, { reason: reason ?? MANUAL_BAN_REASON, ...(ms === undefined ? {} : { durationMs: ms }) })
        return null
      }
    }),
    listbanned: rpcMethod({
      category: CATEGORY,
      params: [],
      help: 'The bans in force, oldest first.\n\nResult: an array of {address, ban_created, banned_until, ban_duration, time_remaining, reason}.',
      handler: () => {
        const now = ctx.clock.now()
        const offset = wallOffset()
        return ctx.banList.list().map((e) => bannedInfo(e, now, offset))
      }
    }),
    clearbanned: rpcMethod({
      category: CATEGORY,
      params: [],
      help: 'Lifts every ban (saved at once).\n\nResult: null.',
      handler: () => {
        for (const entry of ctx.banList.list()) ctx.banList.unban(entry.target)
        return null
      }
    })
  }
}
