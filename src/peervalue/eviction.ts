import { createHmac } from 'node:crypto'
import type { Network } from '../netaddr/netaddress.ts'

/**
 * Inbound eviction: Bitcoin Core's SelectNodeToEvict (src/node/eviction.cpp), adapted to a node that
 * relays no blocks or transactions. When every inbound slot is taken and a newcomer passed the gater, the
 * node evicts one inbound peer instead of refusing the newcomer, so whoever filled the table first cannot
 * keep it. Each rule protects the few peers an attacker finds hardest to imitate; whoever is left is the
 * attacker's most likely connection: the youngest of the network group with the most connections.
 * Pure and deterministic: sorts are stable with the connection id as the last tie-breaker, and chance
 * enters only through the keyed netgroup (a secret key drawn once per node).
 */

/** Core protects the 4 peers whose keyed netgroup sorts highest: an attacker cannot choose which groups win. */
export const PROTECT_BY_NETGROUP = 4
/** Core protects the 8 lowest minimum pings: nearby honest peers are expensive to imitate. */
export const PROTECT_BY_PING = 8
/** Core protects the 4 that last sent a new transaction; here, the 4 that last relayed a novel address. */
export const PROTECT_BY_NOVEL_ADDRS = 4
/** Core protects the 4 that last sent a new block; here, the 4 of highest tag value (what the node and its embedder value). */
export const PROTECT_BY_VALUE = 4

export interface EvictionCandidate {
  readonly id: number
  /** When the connection opened (ms). */
  readonly connectedAtMs: number
  /** Lowest ping round trip seen (ms); undefined before the first pong (sorts as the slowest). */
  readonly minPingMs: number | undefined
  /** keyedNetGroup(group, key): the group's rank under the node's secret key. */
  readonly keyedNetGroup: number
  /** When the peer last relayed an address new to our book (ms); 0 = never. */
  readonly lastNovelAddrMs: number
  /** The peer's tag value (PeerTags.value). */
  readonly value: number
  readonly network: Network
  /** 127.0.0.0/8 or ::1: Core's localhost category (often a Tor or I2P proxy's inbound). */
  readonly isLocal: boolean
  /** Evict from these first when any survive the protections (Core's prefer_evict: discouraged peers). */
  readonly preferEvict: boolean
  /** Never evicted: protected under a tag, whitelisted, or not inbound at all. */
  readonly exempt: boolean
}

export type EvictionRule = 'netgroup' | 'ping' | 'novel_addrs' | 'value' | 'network' | 'uptime'

export interface EvictionDecision {
  /** The peer to evict; undefined when every candidate is protected (the newcomer is refused). */
  readonly victim: EvictionCandidate | undefined
  /** Candidates that were not exempt. */
  readonly eligible: number
  /** How many each rule protected, in the order applied. */
  readonly protectedBy: Readonly<Record<EvictionRule, number>>
  /** Survivors of the protections in the victim's group (0 without a victim). */
  readonly groupSize: number
}

/** A group's rank under the node's secret key: the first 4 bytes of HMAC-SHA256(key, group). */
export function keyedNetGroup (group: string, key: Uint8Array): number {
  return createHmac('sha256', key).update(group).digest().readUInt32BE(0)
}

type Compare = (a: EvictionCandidate, b: EvictionCandidate) => number

/** Sorted most evictable first; then of the last k, those matching `only` are removed (protected). */
function protectLast (list: EvictionCandidate[], compare: Compare, k: number, only: (c: EvictionCandidate) => boolean = () => true): EvictionCandidate[] {
  const sorted = [...list].sort((a, b) => compare(a, b) || b.id - a.id)
  const cut = Math.max(0, sorted.length - k)
  return [...sorted.slice(0, cut), ...sorted.slice(cut).filter((c) => !only(c))]
}

const younger: Compare = (a, b) => b.connectedAtMs - a.connectedAtMs
const byNetGroup: Compare = (a, b) => a.keyedNetGroup - b.keyedNetGroup
const bySlowerPing: Compare = (a, b) => (b.minPingMs ?? Infinity) - (a.minPingMs ?? Infinity) || 0
const byNovelAddrs: Compare = (a, b) => a.lastNovelAddrMs - b.lastNovelAddrMs || younger(a, b)
const byValue: Compare = (a, b) => a.value - b.value || younger(a, b)

interface Category { readonly name: string, readonly member: (c: EvictionCandidate) => boolean, count: number }

/**
 * Core's ProtectEvictionCandidatesByRatio: protect half of the rest. First up to a quarter go to peers on
 * CJDNS, I2P, localhost and Tor (fewest first, shared evenly, longest-connected within each), so they do
 * not lose the uptime race to faster clearnet peers; the remainder of the half by longest uptime.
 * Returns the survivors, youngest first.
 */
function protectByRatio (list: EvictionCandidate[], counts: Record<EvictionRule, number>): EvictionCandidate[] {
  const total = Math.floor(list.length / 2)
  const budget = Math.floor(total / 2)
  const categories: Category[] = [
    { name: 'cjdns', member: (c) => c.network === 'cjdns', count: 0 },
    { name: 'i2p', member: (c) => c.network === 'i2p', count: 0 },
    { name: 'localhost', member: (c) => c.isLocal, count: 0 },
    { name: 'onion', member: (c) => c.network === 'torv3', count: 0 }
  ]
  for (const cat of categories) cat.count = list.filter(cat.member).length
  categories.sort((a, b) => a.count - b.count) // stable: on equal counts the order above wins
  let rest = list
  let protectedCount = 0
  while (protectedCount < budget) {
    const live = categories.filter((c) => c.count > 0)
    if (live.length === 0) break
    const per = Math.max(Math.floor((budget - protectedCount) / live.length), 1)
    let any = false
    for (const cat of live) {
      const before = rest.length
      rest = protectLast(rest, (a, b) => Number(cat.member(a)) - Number(cat.member(b)) || younger(a, b), per, cat.member)
      const delta = before - rest.length
      if (delta === 0) continue
      any = true
      protectedCount += delta
      if (protectedCount >= budget) break
      cat.count -= delta
    }
    if (!any) break
  }
  counts.network = protectedCount
  const beforeUptime = rest.length
  rest = protectLast(rest, younger, total - protectedCount)
  counts.uptime = beforeUptime - rest.length
  return rest.sort((a, b) => younger(a, b) || b.id - a.id)
}

/**
 * Picks the inbound peer to evict, rule by rule:
 *  0. exempt candidates (protected, whitelisted, outbound, anchors) are never candidates;
 *  1. protect the 4 of highest keyed netgroup;
 *  2. protect the 8 of lowest minimum ping;
 *  3. protect the 4 that most recently relayed a novel address (ties: the older connection);
 *  4. protect the 4 of highest tag value (ties: the older connection);
 *  5. protect half of the rest: network diversity first (CJDNS, I2P, localhost, Tor), then uptime;
 *  6. nobody left: no eviction; else if any survivor prefers eviction, only those stay;
 *  7. the group (keyed netgroup) with the most survivors loses its youngest connection; on a tie, the
 *     group whose youngest connected last, then the lower keyed netgroup.
 */
export function selectNodeToEvict (candidates: readonly EvictionCandidate[]): EvictionDecision {
  const counts: Record<EvictionRule, number> = { netgroup: 0, ping: 0, novel_addrs: 0, value: 0, network: 0, uptime: 0 }
  let list = candidates.filter((c) => !c.exempt)
  const eligible = list.length
  const step = (rule: EvictionRule, compare: Compare, k: number): void => {
    const before = list.length
    list = protectLast(list, compare, k)
    counts[rule] = before - list.length
  }
  step('netgroup', byNetGroup, PROTECT_BY_NETGROUP)
  step('ping', bySlowerPing, PROTECT_BY_PING)
  step('novel_addrs', byNovelAddrs, PROTECT_BY_NOVEL_ADDRS)
  step('value', byValue, PROTECT_BY_VALUE)
  list = protectByRatio(list, counts)
  if (list.length === 0) return { victim: undefined, eligible, protectedBy: counts, groupSize: 0 }
  if (list.some((c) => c.preferEvict)) list = list.filter((c) => c.preferEvict)
  const groups = new Map<number, EvictionCandidate[]>() // survivors stay youngest first within a group
  for (const c of list) {
    const members = groups.get(c.keyedNetGroup)
    if (members === undefined) groups.set(c.keyedNetGroup, [c])
    else members.push(c)
  }
  let best: EvictionCandidate[] = []
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const members = groups.get(key) as EvictionCandidate[]
    const youngest = members[0] as EvictionCandidate
    if (members.length > best.length || (members.length === best.length && youngest.connectedAtMs > (best[0] as EvictionCandidate).connectedAtMs)) best = members
  }
  return { victim: best[0], eligible, protectedBy: counts, groupSize: best.length }
}
