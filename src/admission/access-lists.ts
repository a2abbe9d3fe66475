import type { BanTarget } from '../banlist/ban-target.ts'
import { buildDenyList, buildWhitelist, type CidrMatcher } from './cidr-rules.ts'
import { NO_PERMISSIONS, type Permissions, type WhitelistEntry } from './permissions.ts'

/** The operator's allow and deny lists, as configured (--whitelist, --deny, or their config-file keys). */
export interface AccessListsConfig {
  readonly whitelist: readonly WhitelistEntry[]
  readonly deny: readonly BanTarget[]
}

/**
 * Who the operator trusts and who they refuse, built once per configuration load: a lookup is one
 * longest-prefix match per list (CidrSet), however many entries the lists hold.
 */
export class AccessLists {
  readonly #allow: CidrMatcher<Permissions>
  readonly #deny: CidrMatcher<BanTarget>
  readonly #empty: boolean

  constructor (config: AccessListsConfig = { whitelist: [], deny: [] }) {
    this.#allow = buildWhitelist(config.whitelist)
    this.#deny = buildDenyList(config.deny)
    this.#empty = config.whitelist.length === 0 && config.deny.length === 0
  }

  /** The union of the permissions of every --whitelist entry covering `host` (none when it is denied: deny wins). */
  permissions (host: string): Permissions {
    if (this.#empty || this.#deny.match(host) !== undefined) return NO_PERMISSIONS
    return this.#allow.match(host) ?? NO_PERMISSIONS
  }

  /** The --deny entry covering `host`, if any. */
  denied (host: string): BanTarget | undefined {
    return this.#empty ? undefined : this.#deny.match(host)
  }
}
