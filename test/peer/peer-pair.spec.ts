import { once } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { NetAddress, TimedAddress } from '../../src/netaddr/netaddress.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import type { PeerInit } from '../../src/peer/types.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { NODE_NETWORK } from '../../src/wire/services.ts'
import { REGTEST, useFakeClock } from '../helpers/peer-fixture.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'
import { tcpPair } from '../helpers/tcp-pair.ts'

const PING_INTERVAL_MS = 2 * 60_000

describe('two peerkeeper sessions on loopback (Done when)', () => {
  let cleanup: Array<() => void> = []
  beforeEach(() => { useFakeClock() })
  afterEach(() => {
    for (const c of cleanup) c()
    cleanup = []
    vi.useRealTimers()
  })

  it('handshake, exchange addresses and stay connected through many ping intervals', async () => {
    const pair = await tcpPair()
    cleanup.push(pair.close)
    const book: TimedAddress[] = Array.from({ length: 40 }, (_, i) => ({
      addr: { network: 'ipv4', host: `198.51.100.${i + 1}`, port: 8333 }, services: NODE_NETWORK, time: 1_700_000_000 - i
    }))
    const learned: Array<{ addrs: TimedAddress[], source: NetAddress }> = []
    const session = (socket: typeof pair.client, seed: number, init: Partial<PeerInit> & Pick<PeerInit, 'direction'>): Peer => {
      const peer = new Peer(socket, { clock: systemClock, random: seededRandom(seed), logger: recordingLogger() }, {
        id: seed,
        addr: { network: 'ipv4', host: '127.0.0.1', port: 18444 },
        params: REGTEST,
        nonces: new NonceRegistry(seededRandom(seed + 100)), // two nodes: two registries
        services: NODE_NETWORK, // each must offer what the other's outbound side requires
        ...init
      })
      cleanup.push(() => { peer.close('test over') })
      return peer
    }
    const a = session(pair.client, 1, {
      direction: 'outbound',
      wantAddresses: () => true,
      addrSink: { addAddresses: (addrs, source) => { learned.push({ addrs, source }) } }
    })
    const b = session(pair.server, 2, { direction: 'inbound', getAddrSample: () => book })

    const pongs = { a: 0, b: 0 }
    a.on('pong', () => { pongs.a++ })
    b.on('pong', () => { pongs.b++ })
    /** Real I/O needs real turns of the event loop (setImmediate is not faked). */
    const bothPonged = async (count: number): Promise<void> => {
      while (pongs.a < count || pongs.b < count) await new Promise((resolve) => setImmediate(resolve))
    }
    const gotAddrs = once(a, 'addr')
    const [infoA, infoB] = await Promise.all([a.handshake(), b.handshake()])
    expect(infoA).toMatchObject({ direction: 'outbound', userAgent: '/peerkeeper:0.1.0/', version: 70016, addrV2: true, wtxidRelay: true })
    expect(infoB).toMatchObject({ direction: 'inbound', userAgent: '/peerkeeper:0.1.0/', addrV2: true })
    await gotAddrs
    expect(learned).toEqual([{ addrs: book, source: a.addr }])

    const closes: string[] = []
    a.on('close', (r) => closes.push(`a: ${r}`))
    b.on('close', (r) => closes.push(`b: ${r}`))
    await bothPonged(1) // each side pings as soon as the handshake is done
    // 15 intervals = 30 min: past both the 20 min idle and the 20 min ping timeouts.
    for (let interval = 1; interval <= 15; interval++) {
      await vi.advanceTimersByTimeAsync(PING_INTERVAL_MS)
      await bothPonged(interval + 1)
    }
    expect(closes).toEqual([])
    expect([a.state, b.state]).toEqual(['established', 'established'])
    expect(pongs).toEqual({ a: 16, b: 16 })
    expect(a.latencyMs).toBe(0) // fake time stands still while bytes cross the loopback
    expect([a.banScore.int(), b.banScore.int()]).toEqual([0, 0])
  })
})
