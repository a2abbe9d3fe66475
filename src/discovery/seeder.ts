import { internalAddress } from '../addrbook/netgroup.ts'
import type { ChainParams, DnsSeed } from '../chainparams/chainparams.ts'
import { addrKey, parseHostPort, toNetAddress, type NetAddress, type TimedAddress } from '../netaddr/netaddress.ts'
import { raceAbort } from '../transport/connect-tcp.ts'
import { abortFanout, anySignal, clockTimeoutSignal, unixSeconds, type Clock } from '../util/clock.ts'
import { nullEventSink, type EventSink } from '../util/event-bus.ts'
import type { Random } from '../util/random.ts'
import { NODE_NETWORK } from '../wire/services.ts'
import type { SeederEventMap } from './events.ts'
import type { Resolver } from './resolver.ts'
import { SeedTimeoutError } from './errors.ts'

/** Time one seed gets for its A and AAAA answers (several UDP retransmits, or one Tor RESOLVE). */
export const SEED_TIMEOUT_MS = 15_000
/** Core's nMaxIPs: one seed cannot fill the address book with its own picks. */
export const MAX_ADDRESSES_PER_SEED = 32
/** Seeded addresses look 3-7 days old (btcd and Core), so fresher gossip outranks them. */
const MIN_SEED_AGE_S = 3 * 86_400
const SEED_AGE_SPREAD_S = 4 * 86_400

export interface SeedResult {
  /** The seed as listed in the chainparams. */
  readonly seed: string
  /** What was looked up: the seed, or its `x<services>.` subdomain; the literal itself for IP/.onion seeds. */
  readonly queried: string
  /** New addresses from this seed (those an earlier seed already returned are left out). */
  readonly addrs: TimedAddress[]
  /**
   * The source to add `addrs` with: the seed's internal address, so each seed is a source group of its
   * own in the address book and one bad seed reaches at most 64 new buckets (Core does the same).
   */
  readonly source: NetAddress
  /** Why the seed gave nothing, when it failed. */
  readonly error?: string
}

export interface SeederComponents {
  resolver: Resolver
  clock: Clock
  random: Random
  /** Where each seed's answer or failure is announced. @default dropped */
  events?: EventSink<SeederEventMap>
}

export interface SeedOptions {
  /** Services wanted from seeded peers; filtering seeds are asked for exactly these. */
  requiredServices: bigint
  /** Per seed. @default SEED_TIMEOUT_MS */
  timeoutMs?: number
  /** Aborts every seed still running (shutdown). */
  signal?: AbortSignal
  /**
   * Each seed's own result as soon as it settles, before the others (a dead seed must not hold back the
   * answers of live ones); duplicates across seeds are not removed here.
   */
  onResult?(result: SeedResult): void
}

/** The name to look up: `x<services hex>.<seed>` for a filtering seed unless plain NODE_NETWORK is wanted. */
export function seedQueryName (seed: DnsSeed, requiredServices: bigint): string {
  if (!seed.hasFiltering || requiredServices === NODE_NETWORK) return seed.host
  return `x${requiredServices.toString(16)}.${seed.host}`
}

/** A seeded address's timestamp: uniformly 3 to 7 days before now. */
export function seedTimestamp (nowSeconds: number, random: Random): number {
  return nowSeconds - MIN_SEED_AGE_S - random.int(SEED_AGE_SPREAD_S)
}

/** A seed listed as an IP or .onion literal (signet has both) is itself the address: nothing to look up. */
function literalSeed (seed: DnsSeed, defaultPort: number): NetAddress | undefined {
  try {
    const hp = parseHostPort(seed.host, defaultPort, 'seed')
    return toNetAddress(hp.host, hp.port)
  } catch {
    return undefined
  }
}

async function lookUp (components: SeederComponents, queried: string, options: SeedOptions): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? SEED_TIMEOUT_MS
  const timeout = clockTimeoutSignal(components.clock, timeoutMs, () => new SeedTimeoutError(queried, timeoutMs))
  const signal = anySignal([options.signal, timeout.signal])
  try {
    // The resolver gets the signal too; racing it guarantees the timeout even if a resolver ignores it.
    return await raceAbort(components.resolver.resolve(queried, { signal: signal.signal }), signal.signal, () => {})
  } finally {
    timeout.clear()
    signal.clear()
  }
}

async function querySeed (components: SeederComponents, params: ChainParams, seed: DnsSeed, options: SeedOptions): Promise<SeedResult> {
  const { clock, random } = components
  const events = components.events ?? nullEventSink()
  const stamp = (addr: NetAddress): TimedAddress => ({ addr, services: options.requiredServices, time: seedTimestamp(unixSeconds(clock), random) })
  const source = internalAddress(seed.host)
  const literal = literalSeed(seed, params.defaultPort)
  if (literal !== undefined) {
    events.emit('seed_literal', { seed: seed.host })
    return { seed: seed.host, queried: seed.host, addrs: [stamp(literal)], source }
  }
  const queried = seedQueryName(seed, options.requiredServices)
  let ips: string[]
  try {
    ips = await lookUp(components, queried, options)
  } catch (err) {
    const reason = (err as Error).message
    events.emit('seed_failed', { seed: seed.host, queried, reason })
    return { seed: seed.host, queried, addrs: [], source, error: reason }
  }
  const unique = new Map<string, NetAddress>()
  for (const ip of ips) {
    const addr = toNetAddress(ip, params.defaultPort)
    if (addr !== undefined) unique.set(addrKey(addr), addr)
  }
  const addrs = [...unique.values()].slice(0, MAX_ADDRESSES_PER_SEED).map(stamp)
  events.emit('seed_answered', { seed: seed.host, queried, count: addrs.length, answered: ips.length })
  return { seed: seed.host, queried, addrs, source }
}

/**
 * Queries every DNS seed of the network at once (A and AAAA through the given resolver: clear DNS, or
 * Tor when a proxy is set). Each seed has its own timeout; a failing seed is logged and reported in its
 * result, never stopping the others. Each address gets the default port, a 3-7 day old timestamp and
 * the required services; at most MAX_ADDRESSES_PER_SEED per seed, and an address that an earlier seed
 * (in chainparams order) returned is dropped from later ones.
 */
export async function seedFromDns (components: SeederComponents, params: ChainParams, options: SeedOptions): Promise<SeedResult[]> {
  const fanout = abortFanout(options.signal)
  let results: SeedResult[]
  try {
    results = await Promise.all(params.dnsSeeds.map(async (seed) => {
      const result = await querySeed(components, params, seed, { ...options, signal: fanout.child() })
      options.onResult?.(result)
      return result
    }))
  } finally {
    fanout.release()
  }
  const seen = new Set<string>()
  return results.map((result) => {
    const addrs = result.addrs.filter((t) => {
      const key = addrKey(t.addr)
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    return addrs.length === result.addrs.length ? result : { ...result, addrs }
  })
}
