import { describe, expect, it } from 'vitest'
import { MAX_RETAINED_PEERS, peerKeyOf, PeerTags, TAG_RETENTION_MS } from '../../src/peervalue/tags.ts'
import { PeerValueInputError } from '../../src/peervalue/errors.ts'

const T0 = 1_700_000_000_000

describe('PeerTags', () => {
  it('keys inbound peers by IP and outbound peers by host:port', () => {
    const addr = { host: '10.1.2.3', port: 8333, network: 'ipv4' as const }
    expect(peerKeyOf(addr, 'inbound')).toBe('10.1.2.3')
    expect(peerKeyOf(addr, 'outbound')).toBe('10.1.2.3:8333')
  })

  it('tags, untags and upserts; the value is the sum, negatives allowed', () => {
    const t = new PeerTags()
    t.tag('a', 'x', 10, T0)
    t.tag('a', 'y', -3, T0)
    t.tag('a', 'x', 7, T0) // replaces
    expect(t.value('a', T0)).toBe(4)
    t.upsert('a', 'y', (v) => v * 2, T0)
    t.upsert('a', 'z', (v) => v + 5, T0) // absent: starts from 0
    expect(t.info('a', T0)).toEqual({ firstSeenMs: T0, value: 6, tags: { x: 7, y: -6, z: 5 }, connections: 0 })
    t.untag('a', 'x')
    t.untag('nobody', 'x') // no-op
    expect(t.value('a', T0)).toBe(-1)
    expect(t.info('nobody', T0)).toBeUndefined()
    expect(() => { t.tag('a', '', 1, T0) }).toThrow(PeerValueInputError)
    expect(() => { t.tag('a', 'n', Number.NaN, T0) }).toThrow(/finite/)
  })

  it('drops a TTL tag when it expires', () => {
    const t = new PeerTags()
    t.tag('a', 'keep', 1, T0)
    t.tag('a', 'brief', 10, T0, { ttlMs: 5_000 })
    expect(t.value('a', T0 + 4_999)).toBe(11)
    expect(t.tagValue('a', 'brief', T0 + 5_000)).toBeUndefined()
    expect(t.value('a', T0 + 5_000)).toBe(1)
    expect(() => { t.tag('a', 'bad', 1, T0, { ttlMs: -1 }) }).toThrow(/ttlMs/)
  })

  it('keeps a disconnected peer\'s tags for TAG_RETENTION_MS, and a reconnect keeps them', () => {
    const t = new PeerTags()
    t.connected('a', T0)
    t.tag('a', 'x', 3, T0)
    t.disconnected('a', T0 + 1_000)
    t.sweep(T0 + 1_000 + TAG_RETENTION_MS - 1)
    expect(t.value('a', T0)).toBe(3)
    t.connected('a', T0 + 1_000 + TAG_RETENTION_MS - 1) // back in time
    t.sweep(T0 + 10 * TAG_RETENTION_MS)
    expect(t.value('a', T0)).toBe(3)
    t.disconnected('a', T0 + 10 * TAG_RETENTION_MS)
    t.sweep(T0 + 11 * TAG_RETENTION_MS)
    expect(t.has('a')).toBe(false)
  })

  it('a peer tagged without ever connecting ages out like a disconnected one', () => {
    const t = new PeerTags()
    t.tag('ghost', 'x', 1, T0)
    t.sweep(T0 + TAG_RETENTION_MS)
    expect(t.has('ghost')).toBe(false)
  })

  it('a peer with two connections keeps its entry until the last one closes', () => {
    const t = new PeerTags()
    t.connected('a', T0)
    t.connected('a', T0)
    t.disconnected('a', T0)
    t.sweep(T0 + 2 * TAG_RETENTION_MS)
    expect(t.info('a', T0)?.connections).toBe(1)
  })

  it('forgets the longest-gone peers beyond MAX_RETAINED_PEERS', () => {
    const t = new PeerTags()
    for (let i = 0; i <= MAX_RETAINED_PEERS; i++) {
      t.connected(`p${i}`, T0)
      t.disconnected(`p${i}`, T0 + i)
    }
    expect(t.size).toBe(MAX_RETAINED_PEERS)
    expect(t.has('p0')).toBe(false)
    expect(t.has(`p${MAX_RETAINED_PEERS}`)).toBe(true)
  })

  describe('protection (go-libp2p semantics)', () => {
    it('is idempotent and not reference counted: one unprotect undoes many protects', () => {
      const t = new PeerTags()
      t.protect('a', 'x')
      t.protect('a', 'x')
      expect(t.unprotect('a', 'x')).toBe(false)
      expect(t.isProtected('a')).toBe(false)
    })

    it('unprotect says whether another tag still protects the peer', () => {
      const t = new PeerTags()
      t.protect('a', 'x')
      t.protect('a', 'y')
      expect(t.unprotect('a', 'x')).toBe(true)
      expect(t.isProtected('a', 'x')).toBe(false)
      expect(t.isProtected('a', 'y')).toBe(true)
      expect(t.isProtected('a', '')).toBe(true) // '' = any tag
      expect(t.unprotect('a', 'y')).toBe(false)
      expect(t.unprotect('never', 'y')).toBe(false)
    })

    it('survives disconnects and the tags\' retention', () => {
      const t = new PeerTags()
      t.connected('a', T0)
      t.protect('a', 'x')
      t.disconnected('a', T0)
      t.sweep(T0 + 2 * TAG_RETENTION_MS)
      expect(t.has('a')).toBe(false)
      expect(t.isProtected('a', 'x')).toBe(true)
    })
  })
})
