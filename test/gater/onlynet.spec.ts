import { describe, expect, it } from 'vitest'
import { selectOutbound } from '../../src/addrbook/select-outbound.ts'
import { BanList } from '../../src/banlist/ban-list.ts'
import { DefaultGater } from '../../src/gater/default-gater.ts'
import { isReachableNetwork, onlyNetNetwork } from '../../src/gater/onlynet.ts'
import { ConnectionRegistry } from '../../src/registry/connection-registry.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { systemClock } from '../../src/util/clock.ts'
import { BOOK_START_MS, bookFixture, ipv4, timed } from '../helpers/addr-book-fixture.ts'

const v6 = (host: string): NetAddress => ({ network: 'ipv6', host, port: 8333 })
const onion: NetAddress = { network: 'torv3', host: 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion', port: 8333 }

describe('--onlynet', () => {
  it('maps Core\'s names to address networks and refuses others', () => {
    expect(['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns'].map(onlyNetNetwork)).toEqual(['ipv4', 'ipv6', 'torv3', 'i2p', 'cjdns'])
    expect(() => onlyNetNetwork('tor')).toThrow('"tor" is not a network (expected one of ipv4, ipv6, onion, i2p, cjdns)')
    expect(isReachableNetwork(new Set(), 'i2p')).toBe(true)
    expect(isReachableNetwork(new Set(['ipv4']), 'ipv6')).toBe(false)
  })

  it('the default gater refuses automatic dials (full-relay, block-relay-only, feeler) to other networks, not manual ones', () => {
    const gater = new DefaultGater({ clock: systemClock, banList: new BanList({ clock: systemClock }), registry: new ConnectionRegistry(), groupOf: (a) => a.host }, { onlyNets: ['ipv4', 'torv3'] })
    for (const kind of ['outbound-full-relay', 'block-relay-only', 'feeler'] as const) {
      expect(gater.interceptAddrDial(v6('2001:db8::1'), kind)).toEqual({ allow: false, reason: 'unreachable network' })
      expect(gater.interceptAddrDial(ipv4('1.2.3.4'), kind).allow).toBe(true)
      expect(gater.interceptAddrDial(onion, kind).allow).toBe(true)
    }
    expect(gater.interceptAddrDial(v6('2001:db8::1'), 'manual').allow).toBe(true)
  })

  it('selection skips unreachable addresses: only IPv4 is picked, and nothing when the book has none', () => {
    const { book } = bookFixture()
    book.add([timed(v6('2a01:4f8::1')), timed(v6('2a02:4f8::1')), timed(v6('2a03:4f8::1'))], ipv4('50.1.1.1'))
    const options = { nowMs: BOOK_START_MS, defaultPort: 8333, inUseKeys: new Set<string>(), inUseGroups: new Set<string>(), isBanned: () => false, mayDial: (a: NetAddress) => a.network === 'ipv4' }
    expect(selectOutbound(book, options)).toBeUndefined()
    book.add([timed(ipv4('9.9.9.9'))], ipv4('50.1.1.1'))
    expect(selectOutbound(book, options)).toEqual(ipv4('9.9.9.9'))
  })
})
