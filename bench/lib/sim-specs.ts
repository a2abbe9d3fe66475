import type { SimPeerSpec, SimProfile } from '../../src/sim/profiles.ts'
import { seededRandom } from '../../src/util/random.ts'

/** The specs in a seeded random order, so profiles do not line up with addresses or network groups. */
export function shuffledSpecs (counts: Partial<Record<SimProfile, number>>, seed: number): SimPeerSpec[] {
  const specs: SimPeerSpec[] = []
  for (const [profile, n] of Object.entries(counts)) for (let i = 0; i < (n ?? 0); i++) specs.push({ profile: profile as SimProfile })
  const random = seededRandom(seed)
  for (let i = specs.length - 1; i > 0; i--) {
    const j = random.int(i + 1)
    ;[specs[i], specs[j]] = [specs[j] as SimPeerSpec, specs[i] as SimPeerSpec]
  }
  return specs
}
