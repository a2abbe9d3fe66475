import { once } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { encodeMessage } from '../../src/wire/encode.ts'
import type { PingMessage } from '../../src/wire/messages.ts'
import { completeHandshake, peerWithScriptedRemote, REGTEST, useFakeClock, type PeerFixture } from '../helpers/peer-fixture.ts'
import { isCommand } from '../helpers/wire-client.ts'

const MINUTE_MS = 60_000

describe('Peer keep-alive and timeouts', () => {
  const fixtures: PeerFixture[] = []
  const established = async (...args: Parameters<typeof peerWithScriptedRemote>): Promise<PeerFixture> => {
    const f = await peerWithScriptedRemote(...args)
    fixtures.push(f)
    await completeHandshake(f)
    return f
  }
  beforeEach(() => { useFakeClock() })
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.close()
    vi.useRealTimers()
  })

  /** Answers the peer's next ping after `delayMs` of (fake) time and waits until the peer has the pong. */
  const answerPing = async (f: PeerFixture, delayMs: number): Promise<number> => {
    const ping = await f.remote.next<PingMessage>(isCommand('ping'))
    await vi.advanceTimersByTimeAsync(delayMs)
    const pong = once(f.peer, 'pong')
    f.remote.send({ command: 'pong', nonce: ping.nonce })
    const [latency] = await pong
    return latency as number
  }

  /** Sends something and waits for its answer, so the peer has certainly received it. */
  const showActivity = async (f: PeerFixture): Promise<void> => {
    f.remote.send({ command: 'ping', nonce: 42n })
    await f.remote.next(isCommand('pong'))
  }

  it('pings at once after the handshake and every 2 min, keeping last and minimum latency', async () => {
    const f = await established()
    expect(f.peer.latencyMs).toBeUndefined()
    expect(await answerPing(f, 150)).toBe(150)
    expect([f.peer.latencyMs, f.peer.minLatencyMs]).toEqual([150, 150])
    await vi.advanceTimersByTimeAsync(2 * MINUTE_MS - 150 - 1)
    expect(f.remote.received.filter(isCommand('ping'))).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(await answerPing(f, 50)).toBe(50)
    await vi.advanceTimersByTimeAsync(2 * MINUTE_MS - 50)
    expect(await answerPing(f, 300)).toBe(300)
    expect([f.peer.latencyMs, f.peer.minLatencyMs]).toEqual([300, 50])
  })

  it('answers pings with the same nonce and ignores a pong with a wrong nonce', async () => {
    const f = await established()
    await f.remote.next(isCommand('ping'))
    f.remote.send({ command: 'ping', nonce: 0xdeadbeefn })
    expect(await f.remote.next(isCommand('pong'))).toEqual({ command: 'pong', nonce: 0xdeadbeefn })
    f.remote.send({ command: 'pong', nonce: 1n })
    await showActivity(f)
    expect(f.peer.latencyMs).toBeUndefined()
  })

  it('keeps one ping in flight and disconnects when it is unanswered for 20 min', async () => {
    const f = await established()
    await f.remote.next(isCommand('ping'))
    for (let minute = 5; minute < 20; minute += 5) {
      await vi.advanceTimersByTimeAsync(5 * MINUTE_MS)
      await showActivity(f) // the peer keeps hearing from us, so only the ping timeout applies
    }
    const closed = once(f.peer, 'close')
    await vi.advanceTimersByTimeAsync(5 * MINUTE_MS)
    expect((await closed)[0]).toBe('ping unanswered for 1200000 ms')
    expect(f.peer.departed).toBe(true) // a peer gone silent left on its own: the rotation counts it as churn
    expect(f.remote.received.filter(isCommand('ping'))).toHaveLength(1)
  })

  it('disconnects a peer that sent nothing for the idle timeout, counting from the last message', async () => {
    const f = await established({ timeouts: { idleTimeoutMs: MINUTE_MS } })
    await vi.advanceTimersByTimeAsync(30_000)
    await showActivity(f)
    await vi.advanceTimersByTimeAsync(MINUTE_MS - 1)
    expect(f.peer.state).toBe('established')
    const closed = once(f.peer, 'close')
    await vi.advanceTimersByTimeAsync(1)
    expect((await closed)[0]).toBe('nothing received for 60000 ms')
    expect(f.peer.departed).toBe(true)
    await f.remote.closed
  })

  it('marks a session the far end closed as departed, and one we closed (a ban, a rotation) as not', async () => {
    const theirs = await established()
    const closed = once(theirs.peer, 'close')
    theirs.remote.close()
    await closed
    expect(theirs.peer.departed).toBe(true)
    const ours = await established()
    ours.peer.close('banned: test')
    expect(ours.peer.departed).toBe(false)
  })

  it('stays connected through many ping intervals while the remote answers', async () => {
    const f = await established()
    for (let i = 0; i < 15; i++) {
      await answerPing(f, 20)
      await vi.advanceTimersByTimeAsync(2 * MINUTE_MS - 20)
    }
    expect(f.peer.state).toBe('established')
  })

  it('drops a peer that does not read once our send buffer passes the cap', async () => {
    const f = await established({ banning: false, maxSendBufferBytes: 64 * 1024 })
    // A non-reading remote first fills the loopback kernel buffers (tens of MB here); corking our end
    // stands in for that: from now on nothing we write leaves the process, as with full kernel buffers.
    f.remote.socket.pause()
    f.socket.cork()
    const closed = once(f.peer, 'close')
    const pings = Buffer.concat(Array.from({ length: 1000 }, (_, i) => encodeMessage(REGTEST.magic, { command: 'ping', nonce: BigInt(i + 1) })))
    for (let batch = 0; batch < 10 && f.peer.state !== 'closed'; batch++) {
      f.remote.sendRaw(pings)
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect((await closed)[0]).toBe('send buffer over 65536 bytes (peer is not reading)')
    expect(f.socket.destroyed).toBe(true)
  })
})
