import { describe, expect, it } from 'vitest'
import { BanList } from '../../src/banlist/ban-list.ts'
import { loadNetwork } from '../../src/chainparams/chainparams.ts'
import { ConnReq } from '../../src/connmgr/conn-req.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { addrKey, type NetAddress } from '../../src/netaddr/netaddress.ts'
import { DialDeniedError, NoAddressError } from '../../src/node/errors.ts'
import { Outbound, type OutboundInit } from '../../src/node/outbound.ts'
import { DefaultGater } from '../../src/gater/default-gater.ts'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import type { Peer } from '../../src/peer/peer.ts'
import { nullEventSink } from '../../src/util/event-bus.ts'
import { Sessions } from '../../src/node/sessions.ts'
import type { Dialer } from '../../src/transport/dialer.ts'
import { bookFixture, ipv4, timed } from '../helpers/addr-book-fixture.ts'

const PORT = 18444
const REGTEST = loadNetwork('regtest')

function setup (init: Partial<OutboundInit> = {}, inUse: NetAddress[] = []): {
  outbound: Outbound, book: ReturnType<typeof bookFixture>['book'], banList: BanList, dialed: string[], dry: { count: number }
} {
  const { book, clock, random } = bookFixture({ allowLocal: true })
  const banList = new BanList({ clock })
  const registry = new ConnectionRegistry<Peer>()
  const gater = new DefaultGater({ clock, banList, registry, groupOf: (addr) => book.groupKey(addr) })
  const events = nullEventSink()
  const sessions = new Sessions({ clock, random, peerLogger: nullLogger, events, registry, gater, permissions: (host) => gater.permissions(host), book, banList },
    { params: REGTEST, banning: { enabled: true, threshold: 100, durationMs: 60_000 } })
  const dialed: string[] = []
  const dialer: Dialer = { dial: async (addr) => { dialed.push(addrKey(addr)); throw new Error('refused') } }
  const dry = { count: 0 }
  const requests = inUse.map((addr) => new ConnReq({ addr }))
  const outbound = new Outbound({ clock, events, dialer, gater, sessions, registry, book, banList, requests: () => requests }, {
    defaultPort: PORT, targetOutbound: 8, isPermanent: () => false, anchors: [], onDry: () => { dry.count++ }, ...init
  })
  return { outbound, book, banList, dialed, dry }
}

describe('Outbound.getNewAddress', () => {
  it('hands out the anchors first, skipping banned ones and groups in use, and records the attempt', () => {
    const anchors = [ipv4('127.1.0.1', PORT), ipv4('127.2.0.1', PORT), ipv4('127.3.0.1', PORT)]
    const { outbound, book, banList } = setup({ anchors }, [ipv4('127.2.9.9', PORT)])
    book.add(anchors.map((a) => timed(a)), undefined)
    banList.ban('127.1.0.1')
    expect(outbound.getNewAddress()).toEqual(anchors[2])
    expect(book.get(anchors[2] as NetAddress)?.lastAttempt).toBeGreaterThan(0)
  })

  it('never picks a banned address or one whose group is in use; a dry book reseeds and throws', () => {
    const { outbound, book, banList, dry } = setup({}, [ipv4('127.5.0.1', PORT)])
    book.add([timed(ipv4('127.5.1.1', PORT)), timed(ipv4('127.6.0.1', PORT)), timed(ipv4('127.7.0.1', PORT))], undefined)
    banList.ban('127.6.0.0/16')
    expect(outbound.getNewAddress()).toEqual(ipv4('127.7.0.1', PORT))
    banList.ban('127.7.0.1')
    expect(() => outbound.getNewAddress()).toThrow(NoAddressError)
    expect(dry.count).toBe(1)
  })
})

describe('Outbound.dial', () => {
  it('refuses a banned automatic address without dialing, but dials a banned permanent peer', async () => {
    const permanent = ipv4('127.9.0.1', PORT)
    const { outbound, banList, dialed } = setup({ isPermanent: (a) => addrKey(a) === addrKey(permanent) })
    banList.ban('127.8.0.1')
    banList.ban('127.9.0.1')
    const signal = new AbortController().signal
    await expect(outbound.dial(ipv4('127.8.0.1', PORT), { signal })).rejects.toThrow(DialDeniedError)
    await expect(outbound.dial(permanent, { signal })).rejects.toThrow('refused')
    expect(dialed).toEqual([addrKey(permanent)])
  })
})
