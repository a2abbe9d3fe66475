import { addrKey } from '../netaddr/netaddress.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'

/** Core's MAX_BLOCK_RELAY_ONLY_ANCHORS: few enough that a stale anchor costs little. */
export const MAX_ANCHORS = 2

/** An outbound peer that is up at shutdown. */
export interface AnchorCandidate {
  readonly addr: NetAddress
  /** Its diversity group (book.groupKey). */
  readonly group: string
  /** When its handshake completed (ms): the longer a peer has served us, the more it is worth keeping. */
  readonly handshakeAtMs: number
  /** Permanent (--connect/--addpeer) peers are redialed anyway and never take an anchor place. */
  readonly permanent: boolean
  /**
   * A peer that left and whose slot is kept for it (returns): it goes before the stand-in that holds its
   * slot, which would otherwise be saved in its place if we stopped before it came back.
   */
  readonly claimed?: boolean
}

/**
 * Chooses the anchors to save at a clean shutdown: up to `max` automatic outbound peers with a completed
 * handshake, those connected longest first, one per group. The node saves them through the store, dials
 * them first at the next start (before asking the address book), and deletes them once read, so a
 * crash loop cannot pin the node to them and a restart does not hand it to whoever answers first.
 */
export function chooseAnchors (candidates: readonly AnchorCandidate[], max = MAX_ANCHORS): NetAddress[] {
  const claimedFirst = (c: AnchorCandidate): number => c.claimed === true ? 0 : 1
  const sorted = candidates
    .filter((c) => !c.permanent)
    .sort((a, b) => claimedFirst(a) - claimedFirst(b) || a.handshakeAtMs - b.handshakeAtMs || (addrKey(a.addr) < addrKey(b.addr) ? -1 : 1))
  const groups = new Set<string>()
  const chosen: NetAddress[] = []
  for (const candidate of sorted) {
    if (chosen.length >= max) break
    if (groups.has(candidate.group)) continue
    groups.add(candidate.group)
    chosen.push(candidate.addr)
  }
  return chosen
}
