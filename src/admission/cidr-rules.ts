import { hostBytes, maskBytes, subnetKey, type BanTarget } from '../banlist/ban-target.ts'
import { unionPermissions, type Permissions, type WhitelistEntry } from './permissions.ts'

/** What admission asks of a CIDR structure: the value of the most specific rule covering `host`. */
export interface CidrMatcher<T> {
  match (host: string): T | undefined
}

export interface CidrRule<T> {
  readonly target: BanTarget
  readonly value: T
}

/** Builds a matcher from rules (longest prefix wins); the shared CidrSet of the core redesign plugs in here. */
export type CidrMatcherFactory = <T>(rules: ReadonlyArray<CidrRule<T>>) => CidrMatcher<T>

const EMPTY: CidrMatcher<never> = { match: () => undefined }

/**
 * A stand-in until the shared CidrSet lands: it tests every rule, so a lookup costs O(rules). Correct for
 * any list, fast only for short ones; pass the CidrSet's factory to buildWhitelist/buildDenyList instead.
 */
export const scanMatcher: CidrMatcherFactory = <T>(rules: ReadonlyArray<CidrRule<T>>): CidrMatcher<T> => {
  if (rules.length === 0) return EMPTY
  return {
    match (host: string): T | undefined {
      const bytes = hostBytes(host)
      let best: T | undefined
      let bestBits = -1
      for (const { target, value } of rules) {
        if (target.bytes === undefined) { // a .onion/.i2p host, matched exactly
          if (bytes === undefined && target.key === host.toLowerCase()) return value
          continue
        }
        if (bytes === undefined || bytes.length !== target.bytes.length || target.prefixBits <= bestBits) continue
        if (subnetKey(maskBytes(bytes, target.prefixBits), target.prefixBits) === target.key) {
          best = value
          bestBits = target.prefixBits
        }
      }
      return best
    }
  }
}

/**
 * The allow list: a peer gets the union of the permissions of every entry covering it (as in Core), not
 * only those of the most specific one. The union is taken here, once per list, so that a longest-prefix
 * lookup per socket is enough: each subnet's value also holds what every wider listed subnet grants.
 */
export function buildWhitelist (entries: readonly WhitelistEntry[], factory: CidrMatcherFactory = scanMatcher): CidrMatcher<Permissions> {
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
  return factory(rules)
}

/** The deny list; a match returns the rule itself so a refusal can say which entry refused. */
export function buildDenyList (targets: readonly BanTarget[], factory: CidrMatcherFactory = scanMatcher): CidrMatcher<BanTarget> {
  return factory(targets.map((target) => ({ target, value: target })))
}
