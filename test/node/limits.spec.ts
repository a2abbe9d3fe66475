import { describe, expect, it } from 'vitest'
import { peerLimits } from '../../src/node/limits.ts'

describe('peerLimits (btcd server arithmetic)', () => {
  it.each([
    // maxPeers, permanent, automatic, target, inbound — semantics §5's table
    [125, 0, true, 8, 117],
    [125, 3, true, 8, 114],
    [10, 9, true, 1, 0],
    [8, 1, false, 0, 7],
    [5, 5, true, 0, 0]
  ])('maxpeers %i with %i permanent (automatic %s) gives target %i and %i inbound', (maxPeers, permanent, automatic, target, inbound) => {
    expect(peerLimits({ maxPeers, permanent, automatic, targetOutbound: 8 })).toEqual({ targetOutbound: target, maxInbound: inbound })
  })
})
