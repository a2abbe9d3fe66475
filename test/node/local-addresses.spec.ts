import { afterEach, describe, expect, it } from 'vitest'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import { buildNodeConfig } from '../../src/cli/node-config.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { configuredLocalAddresses, LOCAL_SCORE_BIND, LOCAL_SCORE_MANUAL, LocalAddresses } from '../../src/node/local-addresses.ts'
import { createNode } from '../../src/node/node.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock, unixSeconds } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { FAST_TIMING } from '../helpers/in-process-node.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { recordingEvents } from '../helpers/recording-events.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const ipv4 = (host: string, port: number): NetAddress => ({ network: 'ipv4', host, port })

describe('LocalAddresses', () => {
  it('takes --externalip (Core\'s manual score) and each --listen bound to an address (bind score); a wildcard or absent bind host names none', () => {
    const external = ipv4('203.0.113.5', 8333)
    expect(configuredLocalAddresses([external], [{ host: '127.0.0.1', port: 18444 }, { host: '0.0.0.0', port: 18445 }, { host: '::', port: 18446 }, { host: undefined, port: 18447 }]))
      .toEqual([{ addr: external, score: LOCAL_SCORE_MANUAL }, { addr: ipv4('127.0.0.1', 18444), score: LOCAL_SCORE_BIND }])
    expect(configuredLocalAddresses([], [{ host: '::1', port: 18444 }])).toEqual([{ addr: { network: 'ipv6', host: '::1', port: 18444 }, score: LOCAL_SCORE_BIND }])
  })

  it('matches address and port (another node on the same host is not us); each sighting adds one to the score', () => {
    const local = new LocalAddresses([{ addr: ipv4('127.0.0.1', 18444), score: LOCAL_SCORE_BIND }])
    expect(local.has(ipv4('127.0.0.1', 18444))).toBe(true)
    expect(local.has(ipv4('127.0.0.1', 18445))).toBe(false)
    local.seen(ipv4('198.51.100.7', 18444))
    local.seen(ipv4('198.51.100.7', 18444))
    local.seen(ipv4('127.0.0.1', 18444))
    expect(local.list()).toEqual([{ addr: ipv4('127.0.0.1', 18444), score: LOCAL_SCORE_BIND + 1 }, { addr: ipv4('198.51.100.7', 18444), score: 2 }])
  })
})

describe('a node never picks its own address', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const stop of stops.splice(0)) await stop() })

  it('leaves the address it listens on untried while it dials the rest of its book', async () => {
    const port = await refusedPort()
    const own = ipv4('127.0.0.1', port)
    // Another /16, so the group rule alone would not keep the pick off our own address.
    const other = ipv4('127.1.0.1', await refusedPort())
    const datadir = tempDir('local-addr')
    const book = new AddrBook({ clock: systemClock, random: seededRandom(3), logger: nullLogger }, { allowLocal: true })
    book.add([own, other].map((addr) => ({ addr, services: 1n, time: unixSeconds(systemClock) - 600 })), ipv4('127.2.0.1', port))
    const store = await NodeStore.open(datadir, { clock: systemClock })
    await store.saveAddrBookKey(book.key)
    await store.writeAddrChanges(book.takeChanges())
    await store.close()

    const config = buildNodeConfig({ chainparams: writeLocalChainParams(port, tempDir('params')), nodnsseed: true, norpc: true, datadir, listen: [`127.0.0.1:${port}`] })
    const node = createNode(config, { timing: FAST_TIMING })
    const log = recordingEvents()
    log.attach(node.events)
    stops.push(async () => { await node.stop() })
    await node.start()
    await log.waitFor('dial_failed', (f) => f.addr === `127.1.0.1:${other.port}`)
    await log.waitFor('address_unavailable')
    expect(node.book?.get(own)?.lastAttempt).toBe(0)
    expect(log.events('inbound_connected')).toEqual([])
  })
})
