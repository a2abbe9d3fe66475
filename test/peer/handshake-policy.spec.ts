import { describe, expect, it } from 'vitest'
import { buildVersion, hasRequiredServices, refuseVersion, type VersionCheck } from '../../src/peer/handshake-policy.ts'
import { NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_WITNESS } from '../../src/wire/services.ts'
import { remoteVersion } from '../helpers/peer-fixture.ts'

const outbound: VersionCheck = { direction: 'outbound', requiredServices: [NODE_NETWORK, NODE_NETWORK_LIMITED], manual: false, isOwnNonce: (n) => n === 42n }
const ONION = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion'

describe('handshake policy', () => {
  it('requires every bit of at least one mask', () => {
    expect(hasRequiredServices(NODE_NETWORK | NODE_WITNESS, [NODE_NETWORK, NODE_NETWORK_LIMITED])).toBe(true)
    expect(hasRequiredServices(NODE_NETWORK_LIMITED, [NODE_NETWORK, NODE_NETWORK_LIMITED])).toBe(true)
    expect(hasRequiredServices(NODE_WITNESS, [NODE_NETWORK, NODE_NETWORK_LIMITED])).toBe(false)
    expect(hasRequiredServices(NODE_NETWORK, NODE_NETWORK | NODE_WITNESS)).toBe(false)
    expect(hasRequiredServices(0n, 0n)).toBe(true)
    expect(hasRequiredServices(0n, [])).toBe(true)
  })

  it('refuses self-connections, old versions and (outbound) missing services, in that order', () => {
    expect(refuseVersion(remoteVersion({ nonce: 42n, version: 100 }), outbound)?.reason).toBe('self-connection')
    expect(refuseVersion(remoteVersion({ version: 70000 }), outbound)?.reason).toBe('old-version')
    expect(refuseVersion(remoteVersion({ version: 70001 }), outbound)).toBeUndefined()
    expect(refuseVersion(remoteVersion({ services: 0n }), outbound)).toMatchObject({ reason: 'missing-services', message: 'services 0x0 lack 0x1 or 0x400' })
    expect(refuseVersion(remoteVersion({ services: 0n }), { ...outbound, direction: 'inbound' })).toBeUndefined()
  })

  it('exempts manual connections (--connect/--addpeer) from the service requirement, as Core does', () => {
    expect(refuseVersion(remoteVersion({ services: 0n }), { ...outbound, manual: true })).toBeUndefined()
    // The other refusals still apply to them.
    expect(refuseVersion(remoteVersion({ services: 0n, version: 70000 }), { ...outbound, manual: true })?.reason).toBe('old-version')
  })

  it('builds our version: their address as addr_recv, an empty addr_from, relay as given', () => {
    const ours = { protocolVersion: 70016, services: NODE_NETWORK_LIMITED, nonce: 5n, userAgent: '/peerkeeper:0.1.0/', startHeight: 3, relay: false, nowSeconds: 1_700_000_000 }
    expect(buildVersion(ours, { network: 'ipv6', host: '2001:db8::1', port: 8333 })).toEqual({
      command: 'version', version: 70016, services: NODE_NETWORK_LIMITED, timestamp: 1_700_000_000n,
      addrRecv: { services: 0n, host: '2001:db8::1', port: 8333 },
      addrFrom: { services: NODE_NETWORK_LIMITED, host: '::', port: 0 },
      nonce: 5n, userAgent: '/peerkeeper:0.1.0/', startHeight: 3, relay: false
    })
    expect(buildVersion(ours, { network: 'torv3', host: ONION, port: 8333 }).addrRecv).toEqual({ services: 0n, host: '::', port: 0 })
  })
})
