import { SimConfigError } from './errors.ts'
/**
 * What each simulated peer does when dialed. A profile names a behaviour seen on the real network;
 * `resolveBehaviour` turns a spec into the plain settings the listener and the connection script follow.
 */
export const SIM_PROFILES = ['live', 'refusing', 'silent', 'slow', 'misbehaving', 'flapping'] as const
export type SimProfile = (typeof SIM_PROFILES)[number]

/** How a misbehaving peer goes wrong once the handshake is done. */
export const MISBEHAVIOURS = ['ping-flood', 'garbage', 'oversized'] as const
export type Misbehaviour = (typeof MISBEHAVIOURS)[number]

/** A slow peer answers the version this late: well past a quick peer, well inside a 20 s handshake timeout. */
export const SLOW_HANDSHAKE_DELAY_MS = 2_000
/** Bans at once per the misbehaviour table (a declared payload over the limit), so it is the sure default. */
export const DEFAULT_MISBEHAVIOUR: Misbehaviour = 'oversized'
/** A flapping peer's connections live a uniform random time in this range: seconds, like a bad home link. */
export const FLAP_LIFETIME_MS: readonly [number, number] = [500, 5_000]

export interface SimPeerSpec {
  readonly profile: SimProfile
  /** slow: delay before answering the version. @default SLOW_HANDSHAKE_DELAY_MS */
  readonly handshakeDelayMs?: number
  /** misbehaving: what it does after the handshake. @default DEFAULT_MISBEHAVIOUR */
  readonly misbehaviour?: Misbehaviour
  /** flapping: [min, max] lifetime of each connection. @default FLAP_LIFETIME_MS */
  readonly lifetimeMs?: readonly [number, number]
  /**
   * Speaks BIP324 v2 as well as v1 (detects which from the first bytes, advertises NODE_P2P_V2). Not
   * for misbehaving peers, whose bursts are v1 frames. @default the network's `v2` setting (false)
   */
  readonly v2?: boolean
}

/** Either one spec per peer, or how many peers of each profile (default settings, in SIM_PROFILES order). */
export type SimPeerSpecs = readonly SimPeerSpec[] | Partial<Record<SimProfile, number>>

/** The settings a peer's listener and connection script act on. */
export interface SimBehaviour {
  readonly profile: SimProfile
  /** false: no listener at all, so a dial is refused by the host. */
  readonly listens: boolean
  /** false: accepts the connection and never reads or writes. */
  readonly speaks: boolean
  readonly handshakeDelayMs: number
  readonly misbehaviour: Misbehaviour | undefined
  readonly lifetimeMs: readonly [number, number] | undefined
  /** false: a v1-only node, which drops a v2 key as a bad magic (as Core before 26 does). */
  readonly v2: boolean
}

export function expandSpecs (peers: SimPeerSpecs): SimPeerSpec[] {
  if (Array.isArray(peers)) return [...(peers as readonly SimPeerSpec[])]
  const counts = peers as Partial<Record<SimProfile, number>>
  const out: SimPeerSpec[] = []
  for (const [profile, count] of Object.entries(counts)) {
    if (!(SIM_PROFILES as readonly string[]).includes(profile)) {
      throw new SimConfigError(`sim peers: unknown profile "${profile}" (expected ${SIM_PROFILES.join(', ')})`)
    }
    if (count === undefined) continue
    if (!Number.isInteger(count) || count < 0) throw new SimConfigError(`sim peers: count for "${profile}" must be a whole number >= 0, not ${count}`)
  }
  for (const profile of SIM_PROFILES) {
    for (let i = 0; i < (counts[profile] ?? 0); i++) out.push({ profile })
  }
  return out
}

export function resolveBehaviour (spec: SimPeerSpec, index: number, v2Default = false): SimBehaviour {
  const { profile } = spec
  if (!(SIM_PROFILES as readonly string[]).includes(profile)) {
    throw new SimConfigError(`sim peer ${index}: unknown profile "${profile}" (expected ${SIM_PROFILES.join(', ')})`)
  }
  const delay = profile === 'slow' ? spec.handshakeDelayMs ?? SLOW_HANDSHAKE_DELAY_MS : 0
  if (!Number.isFinite(delay) || delay < 0) throw new SimConfigError(`sim peer ${index}: handshakeDelayMs must be >= 0, not ${delay}`)
  const misbehaviour = profile === 'misbehaving' ? spec.misbehaviour ?? DEFAULT_MISBEHAVIOUR : undefined
  if (misbehaviour !== undefined && !(MISBEHAVIOURS as readonly string[]).includes(misbehaviour)) {
    throw new SimConfigError(`sim peer ${index}: unknown misbehaviour "${misbehaviour}" (expected ${MISBEHAVIOURS.join(', ')})`)
  }
  const lifetime = profile === 'flapping' ? spec.lifetimeMs ?? FLAP_LIFETIME_MS : undefined
  if (lifetime !== undefined && !(lifetime[0] >= 0 && lifetime[1] >= lifetime[0])) {
    throw new SimConfigError(`sim peer ${index}: lifetimeMs must be [min, max] with 0 <= min <= max, not [${lifetime.join(', ')}]`)
  }
  const v2 = spec.v2 ?? (v2Default && profile !== 'misbehaving')
  if (v2 && profile === 'misbehaving') throw new SimConfigError(`sim peer ${index}: a misbehaving peer speaks v1 only (its bursts are v1 frames)`)
  return {
    v2,
    profile,
    listens: profile !== 'refusing',
    speaks: profile !== 'refusing' && profile !== 'silent',
    handshakeDelayMs: delay,
    misbehaviour,
    lifetimeMs: lifetime
  }
}
