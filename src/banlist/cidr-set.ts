import { hostBytes, maskBytes, subnetKey, type BanTarget } from './ban-target.ts'

/**
 * Values keyed by address or subnet (a parsed BanTarget), with longest-prefix lookup of a host. The ban
 * list and the connection gater's whitelist both match hosts this way. A lookup costs one Map probe for
 * the host, then one per distinct prefix length in use, however many entries share those lengths.
 */
export class CidrSet<T> {
  readonly #entries = new Map<string, T>()
  /** Subnet keys per address length (4 or 16 bytes), then per prefix length. */
  readonly #subnets = new Map<number, Map<number, Set<string>>>()

  get size (): number {
    return this.#entries.size
  }

  /** The value stored under exactly this canonical key. */
  get (key: string): T | undefined {
    return this.#entries.get(key)
  }

  values (): IterableIterator<T> {
    return this.#entries.values()
  }

  set (target: BanTarget, value: T): void {
    this.#entries.set(target.key, value)
    if (target.bytes === undefined || target.prefixBits === target.bytes.length * 8) return
    let byPrefix = this.#subnets.get(target.bytes.length)
    if (byPrefix === undefined) this.#subnets.set(target.bytes.length, byPrefix = new Map())
    let keys = byPrefix.get(target.prefixBits)
    if (keys === undefined) byPrefix.set(target.prefixBits, keys = new Set())
    keys.add(target.key)
  }

  delete (target: BanTarget): boolean {
    if (!this.#entries.delete(target.key)) return false
    if (target.bytes !== undefined) {
      const byPrefix = this.#subnets.get(target.bytes.length)
      const keys = byPrefix?.get(target.prefixBits)
      keys?.delete(target.key)
      if (keys?.size === 0) byPrefix?.delete(target.prefixBits)
    }
    return true
  }

  clear (): void {
    this.#entries.clear()
    this.#subnets.clear()
  }

  /**
   * The value covering `host`: an entry for the address itself first, then the longest subnet. `accept`
   * may turn an entry down (the ban list drops expired bans that way); the search then goes on.
   */
  match (host: string, accept: (value: T, key: string) => boolean = () => true): T | undefined {
    // Most lookups (every accepted socket, every dial) meet an empty list: no parsing at all then.
    if (this.#entries.size === 0) return undefined
    const take = (key: string): T | undefined => {
      const value = this.#entries.get(key)
      return value !== undefined && accept(value, key) ? value : undefined
    }
    // Fast path: NetAddress hosts are already canonical, so most lookups end here.
    const direct = take(host)
    if (direct !== undefined) return direct
    const bytes = hostBytes(host)
    if (bytes === undefined) return take(host.toLowerCase())
    const exact = take(subnetKey(bytes, bytes.length * 8))
    if (exact !== undefined) return exact
    const byPrefix = this.#subnets.get(bytes.length)
    if (byPrefix === undefined) return undefined
    let best: T | undefined
    let bestBits = -1
    for (const [prefixBits, keys] of byPrefix) {
      if (prefixBits <= bestBits) continue
      const key = subnetKey(maskBytes(bytes, prefixBits), prefixBits)
      if (!keys.has(key)) continue
      const value = take(key)
      if (value !== undefined) {
        best = value
        bestBits = prefixBits
      }
    }
    return best
  }
}
