import { describe, expect, it } from 'vitest'
import { expandSpecs, resolveBehaviour, SLOW_HANDSHAKE_DELAY_MS } from '../../src/sim/profiles.ts'
import { SimConfigError } from '../../src/sim/errors.ts'

describe('sim profiles', () => {
  it('expands counts per profile in a fixed order', () => {
    expect(expandSpecs({ silent: 1, live: 2, refusing: 1 }).map((s) => s.profile)).toEqual(['live', 'live', 'refusing', 'silent'])
    expect(expandSpecs([{ profile: 'slow' }, { profile: 'live' }]).map((s) => s.profile)).toEqual(['slow', 'live'])
  })

  it('refuses unknown profiles and bad counts with one line naming them', () => {
    expect(() => expandSpecs({ live: -1 })).toThrow(/count for "live" must be a whole number/)
    expect(() => expandSpecs({ zombie: 1 } as never)).toThrow(SimConfigError)
    expect(() => resolveBehaviour({ profile: 'slow', handshakeDelayMs: -5 }, 3)).toThrow(/sim peer 3: handshakeDelayMs/)
    expect(() => resolveBehaviour({ profile: 'flapping', lifetimeMs: [5, 1] }, 0)).toThrow(/lifetimeMs/)
    expect(() => resolveBehaviour({ profile: 'misbehaving', misbehaviour: 'rude' as never }, 0)).toThrow(/unknown misbehaviour "rude"/)
  })

  it('maps each profile to who listens, who speaks and what it adds', () => {
    expect(resolveBehaviour({ profile: 'refusing' }, 0)).toMatchObject({ listens: false, speaks: false })
    expect(resolveBehaviour({ profile: 'silent' }, 0)).toMatchObject({ listens: true, speaks: false })
    expect(resolveBehaviour({ profile: 'live' }, 0)).toMatchObject({ listens: true, speaks: true, handshakeDelayMs: 0, misbehaviour: undefined, lifetimeMs: undefined })
    expect(resolveBehaviour({ profile: 'slow' }, 0).handshakeDelayMs).toBe(SLOW_HANDSHAKE_DELAY_MS)
    expect(resolveBehaviour({ profile: 'misbehaving' }, 0).misbehaviour).toBe('oversized')
    expect(resolveBehaviour({ profile: 'flapping' }, 0).lifetimeMs).toEqual([500, 5_000])
    // Settings of one profile do not leak into another.
    expect(resolveBehaviour({ profile: 'live', handshakeDelayMs: 9, misbehaviour: 'garbage' }, 0)).toMatchObject({ handshakeDelayMs: 0, misbehaviour: undefined })
  })
})
