import { parseBanTarget, type BanTarget } from '../banlist/ban-target.ts'
import { AdmissionInputError } from './errors.ts'

/**
 * Allow-list entries in Bitcoin Core's `-whitelist=[PERMS@]SUBNET` syntax, and deny-list entries (a bare
 * subnet). The subnet is parsed as a ban target is (IP, IP/prefix, IPv4-mapped IPv6, exact .onion/.i2p),
 * so the three lists share one notion of "which addresses this covers".
 */

/** The permissions peerkeeper implements; `all` is Core's shorthand for every one of them. */
export const PERMISSION_NAMES = ['noban', 'nolimit', 'addr'] as const
export type PermissionName = typeof PERMISSION_NAMES[number]

/**
 * noban: never scored or banned (bans on its address do not refuse it). nolimit: exempt from the inbound
 * per-IP, per-group, rate and pending limits and from the inbound slot count. addr: no addr rate limit.
 */
export type Permissions = Readonly<Record<PermissionName, boolean>>

export const NO_PERMISSIONS: Permissions = Object.freeze({ noban: false, nolimit: false, addr: false })
export const ALL_PERMISSIONS: Permissions = Object.freeze({ noban: true, nolimit: true, addr: true })

/**
 * A bare subnet grants everything: before permissions existed, a whitelisted peer was never banned and
 * skipped the addr rate limit (peer.ts), and issue #11 adds nolimit to that meaning.
 */
export const BARE_WHITELIST_PERMISSIONS = ALL_PERMISSIONS

const ALL = 'all'
/** Core permissions about transaction and block relay, which peerkeeper does not do: named in the error. */
const CORE_ONLY_PERMISSIONS = new Set(['bloomfilter', 'forcerelay', 'relay', 'mempool', 'download', 'in', 'out'])
const VALID_NAMES = [...PERMISSION_NAMES, ALL].join(', ')

export interface WhitelistEntry {
  readonly target: BanTarget
  readonly permissions: Permissions
}

/** Parses `SUBNET` or `PERMS@SUBNET`; throws AdmissionInputError naming the value. */
export function parseWhitelistEntry (text: string): WhitelistEntry {
  const at = text.indexOf('@')
  if (at < 0) return { target: parseSubnet(text, text), permissions: BARE_WHITELIST_PERMISSIONS }
  if (text.indexOf('@', at + 1) >= 0) throw new AdmissionInputError(`"${text}" has more than one "@" (expected [PERMISSIONS@]SUBNET)`)
  return { target: parseSubnet(text.slice(at + 1), text), permissions: parsePermissionList(text.slice(0, at), text) }
}

/** Parses a deny-list subnet; permissions make no sense there, so `PERMS@` is refused. */
export function parseDenyEntry (text: string): BanTarget {
  if (text.includes('@')) throw new AdmissionInputError(`"${text}" carries permissions; a deny entry is a bare IP, IP/prefix or .onion/.i2p address`)
  return parseSubnet(text, text)
}

/** Every permission either grants (Core adds up the flags of every whitelist entry matching a peer). */
export function unionPermissions (a: Permissions, b: Permissions): Permissions {
  if (a === b) return a
  return { noban: a.noban || b.noban, nolimit: a.nolimit || b.nolimit, addr: a.addr || b.addr }
}

function parsePermissionList (list: string, whole: string): Permissions {
  const granted = { noban: false, nolimit: false, addr: false }
  let named = 0
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase()
    if (name === '') continue // Core tolerates empty items ("noban,,addr")
    named++
    if (name === ALL) {
      Object.assign(granted, ALL_PERMISSIONS)
    } else if (isPermissionName(name)) {
      granted[name] = true
    } else {
      const why = CORE_ONLY_PERMISSIONS.has(name) ? ' (a Bitcoin Core permission about relay, which peerkeeper does not do)' : ''
      throw new AdmissionInputError(`"${whole}" has unknown permission "${raw.trim()}"${why}; valid: ${VALID_NAMES}`)
    }
  }
  if (named === 0) throw new AdmissionInputError(`"${whole}" names no permission before "@" (valid: ${VALID_NAMES}; or give the bare subnet)`)
  return granted
}

function isPermissionName (name: string): name is PermissionName {
  return (PERMISSION_NAMES as readonly string[]).includes(name)
}

function parseSubnet (subnet: string, whole: string): BanTarget {
  if (subnet.trim() === '') throw new AdmissionInputError(`"${whole}" has no subnet (expected an IP, IP/prefix or .onion/.i2p address)`)
  try {
    return parseBanTarget(subnet)
  } catch (err) {
    throw new AdmissionInputError(`"${whole}": ${(err as Error).message.replace(/^ban target /, 'subnet ')}`, { cause: err })
  }
}
