import type { BanTarget } from '../banlist/ban-target.ts'
import { CidrSet } from '../banlist/cidr-set.ts'

/**
 * --whitelist subnets (btcd's whitelist, Core's noban): their peers are never scored into a ban and a
 * ban on their address does not keep them out. Matching is the ban list's (CidrSet).
 */
export class Whitelist {
  readonly #set = new CidrSet<BanTarget>()

  constructor (targets: readonly BanTarget[] = []) {
    for (const target of targets) this.#set.set(target, target)
  }

  get size (): number {
    return this.#set.size
  }

  has (host: string): boolean {
    return this.#set.size > 0 && this.#set.match(host) !== undefined
  }
}
