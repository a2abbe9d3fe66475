import { describe, expect, it } from 'vitest'
import type { LifecycleRecord } from '../../../src/sim/demo/event-tap.ts'
import { DemoStory } from '../../../src/sim/demo/story.ts'

const roles = new Map([['127.1.0.1:1', 'permanent'], ['127.2.0.1:1', 'live'], ['127.3.0.1:1', 'live'], ['127.4.0.1:1', 'misbehaving'], ['127.5.0.1:1', 'refusing']])
const START_MS = 1_000_000

function story (): DemoStory {
  return new DemoStory({ targetOutbound: 2, permanent: '127.1.0.1:1', role: (k) => roles.get(k) }, START_MS)
}

function rec (atMs: number, event: string, fields: Record<string, unknown> = {}): LifecycleRecord {
  return { atMs: START_MS + atMs, subsystem: 'NODE', event, fields }
}

describe('DemoStory', () => {
  it('narrates seeding, slots filling up to the target, and says when it is reached (and reached again)', () => {
    const s = story()
    const lines = [
      rec(10, 'seeding_started', { reason: 'empty_book' }),
      rec(20, 'seed_answered', { seed: 'seed.x.test', count: 5 }),
      rec(30, 'outbound_connected', { addr: '127.2.0.1:1', permanent: false }),
      rec(40, 'outbound_connected', { addr: '127.4.0.1:1', permanent: false }),
      rec(50, 'peer_banned', { addr: '127.4.0.1:1', reason: 'oversized-message', score: 100 }),
      rec(60, 'outbound_disconnected', { addr: '127.4.0.1:1', permanent: false, reason: 'replace' }),
      rec(70, 'outbound_connected', { addr: '127.3.0.1:1', permanent: false })
    ].flatMap((r) => s.observe(r))
    expect(lines).toEqual([
      ' 0.010s  seeding the address book (empty book)',
      ' 0.020s  DNS seed seed.x.test answered 5 addresses',
      ' 0.030s  outbound 1/2: 127.2.0.1:1 [live] (handshake done)',
      ' 0.040s  outbound 2/2: 127.4.0.1:1 [misbehaving] (handshake done): target reached',
      ' 0.050s  banned 127.4.0.1:1 [misbehaving]: oversized-message (ban score 100)',
      ' 0.060s  outbound 1/2: lost 127.4.0.1:1 [misbehaving] (replace)',
      ' 0.070s  outbound 2/2: 127.3.0.1:1 [live] (handshake done): target reached again'
    ])
    expect([...s.facts].sort()).toEqual(['banned', 'seeded', 'target-reached'])
    expect(s.outbound).toBe(2)
  })

  it('follows the permanent peer through disconnect, retries and reconnect', () => {
    const s = story()
    const lines = [
      rec(0, 'outbound_connected', { addr: '127.1.0.1:1', permanent: true }),
      rec(100, 'outbound_disconnected', { addr: '127.1.0.1:1', permanent: true, reason: 'reconnect' }),
      rec(100, 'retry_scheduled', { addr: '127.1.0.1:1', permanent: true, retryCount: 1, delayMs: 1000 }),
      rec(1100, 'retry_scheduled', { addr: '127.1.0.1:1', permanent: true, retryCount: 2, delayMs: 2000 }),
      rec(3100, 'outbound_connected', { addr: '127.1.0.1:1', permanent: true })
    ].flatMap((r) => s.observe(r))
    expect(lines.map((l) => l.slice(9))).toEqual([
      'permanent peer 127.1.0.1:1 [permanent] connected',
      'permanent peer 127.1.0.1:1 [permanent] disconnected (reconnect)',
      'permanent peer: retry #1 in 1.000s',
      'permanent peer: retry #2 in 2.000s',
      'permanent peer 127.1.0.1:1 [permanent] reconnected (after 2 scheduled retries)'
    ])
    expect(s.facts.has('permanent-reconnected')).toBe(true)
    expect(s.outbound).toBe(0)
  })

  it('keeps quiet about automatic retries and tallies failed dials by the kind of peer', () => {
    const s = story()
    expect(s.observe(rec(1, 'retry_scheduled', { addr: '127.5.0.1:1', permanent: false, retryCount: 1, delayMs: 5 }))).toEqual([])
    expect(s.observe(rec(1, 'dial_failed', { addr: '127.5.0.1:1' }))).toEqual([])
    s.observe(rec(2, 'dial_failed', { addr: '127.5.0.1:1' }))
    s.observe(rec(3, 'dial_failed', { addr: '127.9.9.9:1' }))
    expect(s.failedDialSummary()).toBe('failed dials: 2 to refusing peers, 1 to unknown peers')
    expect(story().failedDialSummary()).toBe('no failed dials')
    expect(s.note(START_MS + 1500, 'stopping a host')).toBe(' 1.500s  demo: stopping a host')
  })
})
