import { afterEach, describe, expect, it } from 'vitest'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import { BanList } from '../../src/banlist/ban-list.ts'
import { allowAllGater } from '../../src/gater/gater.ts'
import { NO_PERMISSIONS } from '../../src/admission/permissions.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { Sessions } from '../../src/node/sessions.ts'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import type { ConnectionKind } from '../../src/registry/types.ts'
import type { Peer } from '../../src/peer/peer.ts'
import { systemClock } from '../../src/util/clock.ts'
import { nullEventSink } from '../../src/util/event-bus.ts'
import { seededRandom } from '../../src/util/random.ts'
import { ProtocolError } from '../../src/wire/errors.ts'
import { acceptOne, REGTEST, remoteVersion } from '../helpers/peer-fixture.ts'
import { isCommand } from '../helpers/wire-client.ts'

const cleanup: Array<() => void> = []
afterEach(() => { for (const fn of cleanup.splice(0)) fn() })

/** A session of `kind` opened by the node's Sessions, its scripted remote, and the (empty) book behind it. */
async function session (kind: ConnectionKind): Promise<{ book: AddrBook, peer: Peer, remote: Awaited<ReturnType<typeof acceptOne>>['remote'] }> {
  const { socket, remote } = await acceptOne()
  const random = seededRandom(5)
  const book = new AddrBook({ clock: systemClock, random, logger: nullLogger }, { allowLocal: true })
  const sessions = new Sessions({
    clock: systemClock, random, peerLogger: nullLogger, events: nullEventSink(), registry: new ConnectionRegistry<Peer>(),
    gater: allowAllGater, permissions: () => NO_PERMISSIONS, book, banList: new BanList({ clock: systemClock })
  }, { params: REGTEST, banning: { enabled: true, threshold: 100, durationMs: 3_600_000 } })
  const { session: peer } = sessions.open(socket, { network: 'ipv4', host: '127.0.0.1', port: remote.socket.localPort ?? 1 }, kind)
  cleanup.push(() => { peer.close('test over'); remote.close() })
  return { book, peer, remote }
}

/** Handshake, then the remote pushes an address and asks for ours; a ping/pong marks that all was read. */
async function exchange (kind: ConnectionKind): Promise<{ book: AddrBook, sent: string[] }> {
  const { book, peer, remote } = await session(kind)
  const done = peer.handshake()
  await remote.next(isCommand('version'))
  remote.send(remoteVersion())
  remote.send({ command: 'verack' })
  await done
  remote.send({ command: 'addr', addrs: [{ addr: { network: 'ipv4', host: '127.9.0.1', port: 18444 }, services: 1n, time: Math.floor(Date.now() / 1000) }] })
  remote.send({ command: 'getaddr' })
  remote.send({ command: 'ping', nonce: 42n })
  await remote.next((m) => !(m instanceof ProtocolError) && m.command === 'pong' && 'nonce' in m && m.nonce === 42n)
  return { book, sent: remote.received.flatMap((m) => m instanceof ProtocolError ? [] : [m.command]) }
}

describe('block-relay-only connections take no part in address relay (on the wire)', () => {
  it('send no getaddr, answer none, and drop the addr messages they receive', async () => {
    const { book, sent } = await exchange('block-relay-only')
    expect(sent).toContain('verack')
    expect(sent).not.toContain('getaddr')
    expect(sent.filter((c) => c === 'addr' || c === 'addrv2')).toEqual([])
    expect(book.size()).toEqual({ new: 0, tried: 0 })
  })

  it('feelers likewise', async () => {
    const { book, sent } = await exchange('feeler')
    expect(sent).not.toContain('getaddr')
    expect(book.size()).toEqual({ new: 0, tried: 0 })
  })

  it('while a full-relay connection asks for addresses and keeps what it is sent (the control)', async () => {
    const { book, sent } = await exchange('outbound-full-relay')
    expect(sent).toContain('getaddr')
    expect(book.size().new).toBe(1)
  })
})
