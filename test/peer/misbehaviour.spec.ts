import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MISBEHAVIOUR, MISBEHAVIOUR_REASONS, type MisbehaviourReason } from '../../src/peer/misbehaviour.ts'
import type { MisbehaviourEvent, PeerInit } from '../../src/peer/types.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { ProtocolError } from '../../src/wire/errors.ts'
import type { KnownMessage } from '../../src/wire/messages.ts'
import { completeHandshake, loggedEvents, peerWithScriptedRemote, REGTEST, remoteVersion, useFakeClock, type PeerFixture } from '../helpers/peer-fixture.ts'
import { isCommand } from '../helpers/wire-client.ts'
import { frame } from '../helpers/wire-frames.ts'

const MINUTE_MS = 60_000
const magic = REGTEST.magic

/** An addr payload with `count` IPv4 entries, built by hand (the encoder refuses more than 1000). */
function addrPayload (count: number): Uint8Array {
  const entry = Buffer.alloc(30)
  entry.writeUInt32LE(1_700_000_000, 0)
  entry.writeBigUInt64LE(1n, 4)
  Buffer.from('00000000000000000000ffff0a000001', 'hex').copy(entry, 12)
  entry.writeUInt16BE(8333, 28)
  const prefix = count < 0xfd ? Buffer.from([count]) : Buffer.from([0xfd, count & 0xff, count >> 8])
  return Buffer.concat([prefix, ...Array.from({ length: count }, () => entry)])
}

const many = (count: number, message: KnownMessage): Buffer =>
  Buffer.concat(Array.from({ length: count }, () => encodeMessage(magic, message)))

describe('misbehaviour scoring', () => {
  const fixtures: PeerFixture[] = []
  let events: MisbehaviourEvent[]
  let bans: Array<{ reason: MisbehaviourReason, score: number }>
  const setup = async (init: Partial<PeerInit> = {}, handshake = true): Promise<PeerFixture> => {
    const f = await peerWithScriptedRemote({ timeouts: { pingIntervalMs: 1e9 }, ...init })
    fixtures.push(f)
    f.peer.on('misbehaving', (e) => { events.push(e) })
    f.peer.on('ban', (b) => { bans.push(b) })
    if (handshake) {
      await completeHandshake(f)
      await f.remote.next(isCommand('ping'))
    }
    return f
  }
  /** Ping/pong round trip: whatever was sent before has been processed. */
  const settle = async (f: PeerFixture, nonce = 99n): Promise<void> => {
    f.remote.send({ command: 'ping', nonce })
    await f.remote.next((m) => !(m instanceof ProtocolError) && m.command === 'pong' && 'nonce' in m && m.nonce === nonce)
  }
  const closeReason = async (f: PeerFixture): Promise<string> => {
    if (f.peer.state !== 'closed') await once(f.peer, 'close')
    return loggedEvents(f.logger, 'peer_disconnected')[0]?.reason as string
  }

  beforeEach(() => {
    useFakeClock()
    events = []
    bans = []
  })
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.close()
    vi.useRealTimers()
  })

  describe('one test per row of the table', () => {
    /** Rows that have a test here: the last test checks that every row of the table is among them. */
    const tested = new Set<string>()
    const row = (reason: MisbehaviourReason, title: string, fn: () => Promise<void>): void => {
      tested.add(reason)
      it(`${reason}: ${title}`, fn)
    }

    row('oversized-message', 'a declared payload over 4,000,000 bytes bans at once', async () => {
      const f = await setup()
      f.remote.sendRaw(frame('ping', new Uint8Array(0), { magic, declaredLength: 4_000_001 }))
      expect(await closeReason(f)).toBe('banned: oversized-message (score 100)')
      expect(events).toEqual([{ reason: 'oversized-message', persistent: 100, transient: 0, score: 100, action: 'ban' }])
      expect(bans).toEqual([{ reason: 'oversized-message', score: 100 }])
      expect(loggedEvents(f.logger, 'peer_banned')).toMatchObject([{ reason: 'oversized-message', score: 100 }])
      await f.remote.closed
    })

    row('bad-command', 'a garbled command field scores 10 and disconnects (framing lost)', async () => {
      const f = await setup()
      f.remote.sendRaw(frame('pi\u0001ng', new Uint8Array(8), { magic }))
      expect(await closeReason(f)).toMatch(/^misbehaving: bad-command/)
      expect(events).toMatchObject([{ reason: 'bad-command', score: 10, action: 'disconnect' }])
      expect(bans).toEqual([])
    })

    row('bad-checksum', 'scores 10 persistent, skips the message, stays connected', async () => {
      const f = await setup()
      f.remote.sendRaw(frame('ping', new Uint8Array(8), { magic, checksum: Uint8Array.from([1, 2, 3, 4]) }))
      await settle(f)
      expect(events).toEqual([{ reason: 'bad-checksum', persistent: 10, transient: 0, score: 10, action: 'none' }])
      expect(f.remote.received.filter(isCommand('pong'))).toHaveLength(1) // the bad ping got no answer
      expect(f.peer.state).toBe('established')
    })

    row('malformed-payload', 'a known command that does not decode scores 10', async () => {
      const f = await setup()
      f.remote.sendRaw(frame('ping', new Uint8Array(3), { magic }))
      await settle(f)
      expect(events).toMatchObject([{ reason: 'malformed-payload', persistent: 10, score: 10, action: 'none' }])
    })

    row('message-before-handshake', 'before the version, and a known message before verack, score 10 each', async () => {
      const f = await setup({ direction: 'inbound' }, false)
      const done = f.peer.handshake()
      f.remote.send({ command: 'ping', nonce: 1n })
      f.remote.send(remoteVersion())
      f.remote.send({ command: 'getaddr' })
      f.remote.send({ command: 'verack' })
      await done
      expect(events.map((e) => [e.reason, e.score])).toEqual([['message-before-handshake', 10], ['message-before-handshake', 20]])
      expect(f.remote.received.filter(isCommand('pong'))).toHaveLength(0)
    })

    row('duplicate-version', 'a second version scores 10 and is ignored', async () => {
      const f = await setup()
      f.remote.send(remoteVersion({ userAgent: '/other:2.0/' }))
      await settle(f)
      expect(events).toMatchObject([{ reason: 'duplicate-version', score: 10 }])
      expect(f.peer.info?.userAgent).toBe('/scripted:1.0/')
    })

    row('addr-too-many', 'addr with 1001 entries scores 20 and is dropped whole', async () => {
      const addrSink = { addAddresses: vi.fn() }
      const f = await setup({ addrSink, permissions: { noban: true, addr: true } })
      f.remote.sendRaw(frame('addr', addrPayload(1001), { magic }))
      f.remote.sendRaw(frame('addr', addrPayload(1000), { magic }))
      await settle(f)
      expect(events).toMatchObject([{ reason: 'addr-too-many', persistent: 20, score: 20 }])
      expect(addrSink.addAddresses).toHaveBeenCalledTimes(1)
      expect(addrSink.addAddresses.mock.calls[0]?.[0]).toHaveLength(1000)
    })

    row('late-negotiation', 'sendaddrv2 or wtxidrelay after the handshake disconnects without score', async () => {
      const f = await setup()
      f.remote.send({ command: 'sendaddrv2' })
      expect(await closeReason(f)).toBe('misbehaving: late-negotiation')
      expect(events).toEqual([{ reason: 'late-negotiation', persistent: 0, transient: 0, score: 0, action: 'disconnect' }])
      const g = await setup()
      g.remote.send({ command: 'wtxidrelay' })
      expect(await closeReason(g)).toBe('misbehaving: late-negotiation')
    })

    row('ping-flood', 'beyond 10 at once each ping adds 10 transient; 10 extra ban', async () => {
      const f = await setup()
      f.remote.sendRaw(many(20, { command: 'ping', nonce: 5n }))
      expect(await closeReason(f)).toBe('banned: ping-flood (score 100)')
      expect(events.map((e) => e.score)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    })

    row('getaddr-flood', 'beyond 3 at once each getaddr adds 20 transient', async () => {
      const f = await setup({ direction: 'inbound' })
      f.remote.sendRaw(many(8, { command: 'getaddr' }))
      expect(await closeReason(f)).toBe('banned: getaddr-flood (score 100)')
      expect(events.map((e) => [e.reason, e.transient])).toEqual(Array.from({ length: 5 }, () => ['getaddr-flood', 20]))
    })

    row('message-flood', 'beyond 1000 messages at once each adds 1 transient', async () => {
      const f = await setup()
      f.remote.sendRaw(many(1100, { command: 'sendheaders' }))
      expect(await closeReason(f)).toBe('banned: message-flood (score 100)')
      expect(events.every((e) => e.reason === 'message-flood' && e.transient === 1)).toBe(true)
    })

    row('message-rate', 'a message beyond the configured rate and burst is dropped, scores 20 and disconnects', async () => {
      const f = await setup({ rateLimits: { messages: { ratePerSecond: 2, burst: 3 } } })
      // The handshake spent version and verack: one ping fits the burst, the second is over it.
      f.remote.sendRaw(many(2, { command: 'ping', nonce: 7n }))
      expect(await closeReason(f)).toBe('misbehaving: message-rate')
      expect(events).toEqual([{ reason: 'message-rate', persistent: 0, transient: 20, score: 20, action: 'disconnect' }])
      expect(loggedEvents(f.logger, 'peer_rate_limited')).toMatchObject([{ reason: 'message-rate', ratePerSecond: 2, burst: 3 }])
    })

    row('byte-rate', 'a read beyond the configured byte rate and burst is dropped, scores 20 and disconnects', async () => {
      const f = await setup({ rateLimits: { bytes: { ratePerSecond: 1000, burst: 65_536 } } })
      f.remote.sendRaw(many(2100, { command: 'ping', nonce: 7n })) // 67,200 bytes: past the burst
      expect(await closeReason(f)).toBe('misbehaving: byte-rate')
      expect(events).toMatchObject([{ reason: 'byte-rate', transient: 20, action: 'disconnect' }])
      expect(loggedEvents(f.logger, 'peer_rate_limited')).toMatchObject([{ reason: 'byte-rate', ratePerSecond: 1000, burst: 65_536 }])
    })

    it('a whitelisted peer is never rate-limited', async () => {
      const f = await setup({ permissions: { noban: true, addr: true }, rateLimits: { messages: { ratePerSecond: 1, burst: 1 } } })
      await settle(f, 1n)
      await settle(f, 2n)
      expect(events).toEqual([])
      expect(f.peer.state).toBe('established')
    })

    it('every row of the table has a test above', () => {
      expect([...tested].sort()).toEqual([...MISBEHAVIOUR_REASONS].sort())
    })
  })

  describe('decay, thresholds and exemptions', () => {
    it('a bursty but honest peer recovers: transient points halve every minute', async () => {
      const f = await setup()
      f.remote.sendRaw(many(13, { command: 'ping', nonce: 6n }))
      await settle(f, 100n)
      expect(f.peer.banScore.int()).toBe(40) // 10 free, then 4 over (the settling ping included)
      await vi.advanceTimersByTimeAsync(MINUTE_MS)
      expect(f.peer.banScore.int()).toBe(20)
      await vi.advanceTimersByTimeAsync(9 * MINUTE_MS)
      expect(f.peer.banScore.int()).toBe(0)
      f.remote.sendRaw(many(13, { command: 'ping', nonce: 7n }))
      await settle(f, 101n)
      expect(f.peer.banScore.int()).toBe(40)
      expect(f.peer.state).toBe('established')
      expect(bans).toEqual([])
    })

    it('a sustained flooder is banned: one ping a second crosses 100 within half a minute', async () => {
      const f = await setup()
      const closed = once(f.peer, 'close') // one listener for the whole loop, not one per round
      let seconds = 0
      while (f.peer.state !== 'closed' && seconds < 60) {
        f.remote.send({ command: 'ping', nonce: BigInt(1000 + seconds) })
        await Promise.race([f.remote.next(isCommand('pong')), closed])
        await vi.advanceTimersByTimeAsync(1_000)
        seconds++
      }
      expect(bans).toMatchObject([{ reason: 'ping-flood' }])
      expect(seconds).toBeLessThan(30)
    })

    it('a chatty honest peer pinging every 5 s for an hour is never scored (docs/peer-sessions.md rates)', async () => {
      const f = await setup()
      const ours = f.remote.received.find(isCommand('ping')) as { nonce: bigint } // answered, or it times out
      f.remote.send({ command: 'pong', nonce: ours.nonce })
      for (let i = 0; i < 720; i++) {
        await settle(f, BigInt(2000 + i))
        await vi.advanceTimersByTimeAsync(5_000)
      }
      expect(events).toEqual([])
      expect(f.peer.banScore.int()).toBe(0)
      expect(f.peer.state).toBe('established')
    })

    it('bans when the score reaches the threshold, not only above it (configurable)', async () => {
      const f = await setup({ banThreshold: 30 })
      for (let i = 0; i < 3; i++) f.remote.sendRaw(frame('ping', new Uint8Array(3), { magic }))
      expect(await closeReason(f)).toBe('banned: malformed-payload (score 30)')
      expect(bans).toEqual([{ reason: 'malformed-payload', score: 30 }])
    })

    it('logs every increase with its reason and the new score', async () => {
      const f = await setup()
      f.remote.sendRaw(frame('ping', new Uint8Array(3), { magic }))
      f.remote.send(remoteVersion())
      await settle(f)
      expect(loggedEvents(f.logger, 'peer_misbehaving')).toMatchObject([
        { addr: `127.0.0.1:${f.peer.addr.port}`, reason: 'malformed-payload', score: 10 },
        { reason: 'duplicate-version', score: 20 }
      ])
    })

    for (const exempt of ['whitelisted', 'permanent'] as const) {
      it(`disconnects but never bans a ${exempt} peer`, async () => {
        const f = await setup(exempt === 'permanent' ? { permanent: true } : { permissions: { noban: true, addr: false } })
        f.remote.sendRaw(frame('ping', new Uint8Array(0), { magic, declaredLength: 4_000_001 }))
        expect(await closeReason(f)).toBe(`misbehaving: oversized-message (score 100); not banned: ${exempt}`)
        expect(events).toEqual([{ reason: 'oversized-message', persistent: 100, transient: 0, score: 100, action: 'disconnect', notBannedBecause: exempt }])
        expect(bans).toEqual([])
        expect(loggedEvents(f.logger, 'peer_banned')).toEqual([])
        expect(loggedEvents(f.logger, 'peer_not_banned')).toMatchObject([{ exempt, score: 100 }])
      })
    }

    it('with banning off nothing is scored; unusable streams still disconnect', async () => {
      const f = await setup({ banning: false })
      f.remote.sendRaw(many(30, { command: 'ping', nonce: 8n }))
      await settle(f)
      expect(f.peer.banScore.int()).toBe(0)
      f.remote.sendRaw(frame('ping', new Uint8Array(0), { magic, declaredLength: 4_000_001 }))
      expect(await closeReason(f)).toBe('misbehaving: oversized-message')
      expect([events, bans]).toEqual([[], []])
    })
  })

  it('the table in docs/peer-sessions.md lists every row with the same points', () => {
    const doc = readFileSync(new URL('../../docs/peer-sessions.md', import.meta.url), 'utf8')
    const start = doc.indexOf('\n## Misbehaviour\n')
    expect(start, 'a "## Misbehaviour" section in docs/peer-sessions.md').toBeGreaterThan(-1)
    const end = doc.indexOf('\n## ', start + 1)
    const section = doc.slice(start, end === -1 ? undefined : end)
    for (const reason of MISBEHAVIOUR_REASONS) {
      const rule = MISBEHAVIOUR[reason]
      const row = section.split('\n').find((line) => line.startsWith(`| \`${reason}\` |`))
      expect(row, `docs/peer-sessions.md row for ${reason}`).toBeDefined()
      const cells = (row as string).split('|').map((c) => c.trim())
      expect([cells[3], cells[4]], reason).toEqual([String(rule.persistent), String(rule.transient)])
    }
  })
})
