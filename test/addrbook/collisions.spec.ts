import { describe, expect, it } from 'vitest'
import type { AddrBook } from '../../src/addrbook/addr-book.ts'
import { COLLISION_TEST_WINDOW_S, collisionOutcome, MAX_TRIED_COLLISIONS, OCCUPANT_ANSWER_GRACE_S, REPLACEMENT_WINDOW_S } from '../../src/addrbook/collisions.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { bookFixture, ipv4, routableAddresses, timed } from '../helpers/addr-book-fixture.ts'

const NOW = 1_000_000

describe('collisionOutcome (Core ResolveCollisions)', () => {
  it('keeps an occupant that answered within 4 h', () => {
    expect(collisionOutcome({ lastSuccess: NOW, lastAttempt: NOW }, { lastSuccess: NOW - REPLACEMENT_WINDOW_S + 1, lastAttempt: NOW }, NOW)).toBe('keep-occupant')
  })
  it('replaces an occupant tried without success, once it had a minute to answer', () => {
    const occupant = { lastSuccess: NOW - 5 * 3600, lastAttempt: NOW - OCCUPANT_ANSWER_GRACE_S - 1 }
    expect(collisionOutcome({ lastSuccess: NOW, lastAttempt: NOW }, occupant, NOW)).toBe('replace')
    expect(collisionOutcome({ lastSuccess: NOW, lastAttempt: NOW }, { ...occupant, lastAttempt: NOW - 10 }, NOW)).toBe('wait')
  })
  it('waits for a test until 40 min after the newcomer succeeded, then replaces', () => {
    const occupant = { lastSuccess: NOW - 5 * 3600, lastAttempt: NOW - 5 * 3600 }
    expect(collisionOutcome({ lastSuccess: NOW - 60, lastAttempt: NOW }, occupant, NOW)).toBe('wait')
    expect(collisionOutcome({ lastSuccess: NOW - COLLISION_TEST_WINDOW_S - 1, lastAttempt: NOW }, occupant, NOW)).toBe('replace')
  })
})

/** An occupant made good 5 h ago and a newcomer hashing to its tried slot, made good now. */
function collidingPair (): { book: AddrBook, clock: ReturnType<typeof bookFixture>['clock'], occupant: NetAddress, newcomer: NetAddress } {
  const { book, random } = bookFixture()
  const source = ipv4('30.1.1.1')
  let pair: { occupant: NetAddress, newcomer: NetAddress } | undefined
  for (const a of routableAddresses(random, 600, '5.6')) {
    book.add([timed(a)], source)
    book.good(a)
    const occupant = book.selectTriedCollision()
    if (occupant !== undefined) { pair = { occupant: occupant.addr, newcomer: a }; break }
  }
  if (pair === undefined) throw new Error('no colliding pair among 600 addresses of one group')
  // The same key places them in the same slots: replay with the occupant's success 5 h in the past.
  const fresh = bookFixture()
  fresh.book.add([timed(pair.occupant), timed(pair.newcomer)], source)
  fresh.book.good(pair.occupant)
  fresh.clock.advance(5 * 3600 * 1000)
  fresh.book.good(pair.newcomer)
  expect(fresh.book.pendingCollisions).toBe(1)
  return { ...fresh, ...pair }
}

describe('test-before-evict in the address book', () => {
  it('a good address whose tried slot is taken waits in new; the feeler target is the occupant', () => {
    const { book, occupant, newcomer } = collidingPair()
    expect(book.get(newcomer)?.tried).toBe(false)
    expect(book.get(occupant)?.tried).toBe(true)
    expect(book.selectTriedCollision()?.addr).toEqual(occupant)
  })

  it('occupant answers its test: it keeps the slot, the newcomer stays in new', () => {
    const { book, clock, occupant, newcomer } = collidingPair()
    book.attempt(occupant, true)
    clock.advance(1000)
    book.good(occupant)
    expect(book.resolveCollisions()).toBe(0)
    expect(book.pendingCollisions).toBe(0)
    expect(book.get(occupant)?.tried).toBe(true)
    expect(book.get(newcomer)?.tried).toBe(false)
  })

  it('occupant silent: after its minute it is replaced and goes back to new', () => {
    const { book, clock, occupant, newcomer } = collidingPair()
    book.attempt(occupant, true)
    clock.advance(30_000)
    expect(book.resolveCollisions()).toBe(0) // still within its minute
    clock.advance(31_000)
    expect(book.resolveCollisions()).toBe(1)
    expect(book.get(newcomer)?.tried).toBe(true)
    expect(book.get(occupant)?.tried).toBe(false)
    expect(book.pendingCollisions).toBe(0)
  })

  it('nobody tests the occupant: after 40 min the newcomer takes the slot anyway', () => {
    const { book, clock, newcomer } = collidingPair()
    clock.advance(COLLISION_TEST_WINDOW_S * 1000 - 1000)
    expect(book.resolveCollisions()).toBe(0)
    clock.advance(2000)
    expect(book.resolveCollisions()).toBe(1)
    expect(book.get(newcomer)?.tried).toBe(true)
  })

  it(`keeps at most ${MAX_TRIED_COLLISIONS} pending collisions`, () => {
    const { book, random } = bookFixture()
    const addrs = routableAddresses(random, 2000, '5.6')
    addrs.forEach((a, i) => book.add([timed(a)], ipv4(`${20 + (i % 200)}.${i % 250}.1.1`)))
    for (const a of addrs) book.good(a)
    expect(book.pendingCollisions).toBe(MAX_TRIED_COLLISIONS)
  })
})
