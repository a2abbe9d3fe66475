import { describe, expect, it } from 'vitest'
import { FloodGuard } from '../../src/peer/flood-guard.ts'

describe('FloodGuard', () => {
  it('counts pings and getaddrs in their own buckets and every message in the shared one', () => {
    const guard = new FloodGuard(0)
    const pings = Array.from({ length: 12 }, () => guard.check('ping', 0))
    expect(pings.slice(0, 10).every((r) => r.length === 0)).toBe(true)
    expect(pings[10]).toEqual(['ping-flood'])
    expect(guard.check('getaddr', 0)).toEqual([])
    expect(guard.check('inv', 0)).toEqual([])
  })

  it('refills with time: one more ping per 10 s', () => {
    const guard = new FloodGuard(0)
    for (let i = 0; i < 10; i++) guard.check('ping', 0)
    expect(guard.check('ping', 9_999)).toEqual(['ping-flood'])
    expect(guard.check('ping', 20_000)).toEqual([])
  })

  it('trips the message bucket after 1000 messages at once, for any command', () => {
    const guard = new FloodGuard(0)
    for (let i = 0; i < 1000; i++) expect(guard.check(i % 2 === 0 ? 'inv' : 'headers', 0)).toEqual([])
    expect(guard.check('inv', 0)).toEqual(['message-flood'])
    expect(guard.check('ping', 0)).toEqual(['message-flood'])
    expect(guard.check('inv', 1_000)).toEqual([]) // 100 per second
  })
})
