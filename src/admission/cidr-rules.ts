import { maskBytes, subnetKey, type BanTarget } from '../banlist/ban-target.ts'
import { CidrSet } from '../banlist/cidr-set.ts'
import { unionPermissions, type Permissions, type WhitelistEntry } from './permissions.ts'

/** What admission asks of a CIDR structure: the value of the most specific rule covering `host`. */
export interface CidrMatcher<T> {
  match (host: string): T | undefined
}

export interface CidrRule<T> {
  readonly target: BanTarget
  readonly value: T
}

const EMPTY: CidrMatcher<never> = { match: () => undefined }

/**
 * A matcher over the shared CidrSet (the ban list's structure): a lookup costs one hash probe per prefix
 * length in use, however many rules the list holds, so a socket never scans every rule.
 */
export function cidrMatcher<T> (rules: ReadonlyArray<CidrRule<T>>): CidrMatcher<T> {
  if (rules.length === 0) return EMPTY
  const set = new CidrSet<T>()
  for (const { target, value } of rules) set.set(target, value)
  return { match: (host) => set.match(host) }
}

/**
 * The allow list: a peer gets the union of the permissions of every entry covering it (as in Core), not
 * only those of the most specific one. The union is taken here, once per list, so that a longest-prefix
 * lookup per socket is enough: each subnet's value also holds what every wider listed subnet grants.
 */
export function buildWhitelist (entries: readonly WhitelistEntry[]): CidrMatcher<Permissions> {
  const byKey = new Map<string, CidrRule<Permissions>>()
  for (const { target, permissions } of entries) {
    const same = byKey.get(target.key)
    byKey.set(target.key, { target, value: same === undefined ? permissions : unionPermissions(same.value, permissions) })
  }
  const prefixesByLength = new Map<number, Set<number>>()
  for (const { target } of byKey.values()) {
    if (target.bytes === undefined) continue
    let prefixes = prefixesByLength.get(target.bytes.length)
    if (prefixes === undefined) prefixesByLength.set(target.bytes.length, prefixes = new Set())
    prefixes.add(target.prefixBits)
  }
  // One lookup per distinct wider prefix in use: O(entries × prefix lengths), at load time only.
  const rules = [...byKey.values()].map(({ target, value }) => {
    if (target.bytes === undefined) return { target, value }
    let merged = value
    for (const bits of prefixesByLength.get(target.bytes.length) ?? []) {
      if (bits >= target.prefixBits) continue
      const wider = byKey.get(subnetKey(maskBytes(target.bytes, bits), bits))
      if (wider !== undefined) merged = unionPermissions(merged, wider.value)
    }
    return { target, value: merged }
  })
  return cidrMatcher(rules)
}

/** The deny list; a match returns the rule itself so a refusal can say which entry refused. */
export function buildDenyList (targets: readonly BanTarget[]): CidrMatcher<BanTarget> {
  return cidrMatcher(targets.map((target) => ({ target, value: target })))
}
