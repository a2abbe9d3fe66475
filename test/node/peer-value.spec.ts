import { afterEach, describe, expect, it } from 'vitest'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { TAG } from '../../src/peervalue/peer-value.ts'
import { startInProcessNode } from '../helpers/in-process-node.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { remoteVersion } from '../helpers/peer-fixture.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { connectWireClient, isCommand, type WireClient } from '../helpers/wire-client.ts'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

describe('the node\'s peer value', () => {
  it('trims above the high water mark, least valuable and youngest first, never a protected peer; tags follow the peers', async () => {
    const sim = await startSimNetwork({ peers: [{ profile: 'live' }], port: 0, seed: 15 })
    cleanup.push(async () => { await sim.close() })
    const port = await refusedPort()
    const { node, log } = await startInProcessNode(sim, {
      listen: [`127.0.0.1:${port}`], nolisten: undefined, targetoutbound: 0, maxpeers: 10, highwater: 4, lowwater: 1, graceperiod: '0.001s'
    }, tempDir('node'), cleanup)
    const clients: WireClient[] = []
    cleanup.push(async () => { for (const c of clients) c.close() })
    for (let i = 1; i <= 4; i++) {
      const c = await connectWireClient({ host: '127.0.0.1', port }, Uint8Array.from(Buffer.from('fabfb5da', 'hex')), `127.6.0.${i}`)
      clients.push(c)
      c.send(remoteVersion({ nonce: BigInt(i) }))
      await c.next(isCommand('verack'))
      c.send({ command: 'verack' })
      await log.waitFor('inbound_connected', (f) => String(f.addr).startsWith(`127.6.0.${i}:`))
    }
    const value = node.parts?.peerValue
    expect(value).toBeDefined()
    if (value === undefined) return
    value.tags.protect('127.6.0.4', 'test') // the youngest, otherwise the first to go
    value.tags.tag('127.6.0.1', 'kept', 10, Date.now()) // the oldest is worth more
    await new Promise((resolve) => setTimeout(resolve, 5)) // past the 1 ms grace period
    value.trim()
    // Trimmable: 1, 2, 3 (4 is protected); low water 1 → two go: the lowest value (0) youngest first.
    expect(log.events('peer_trimmed').map((r) => String(r.fields.addr).replace(/:\d+$/, ''))).toEqual(['127.6.0.3', '127.6.0.2'])
    expect(log.events('peer_trimmed')[0]?.fields).toMatchObject({ reason: 'high_water', direction: 'inbound', value: 0, connections: 4, eventLoopDelayMs: 0 })
    await Promise.all([clients[1]?.closed, clients[2]?.closed])
    expect(clients[0]?.isClosed).toBe(false)
    expect(clients[3]?.isClosed).toBe(false)
    expect(value.tags.info('127.6.0.1', Date.now())).toMatchObject({ value: 10, connections: 1 })
    expect(value.tags.isProtected('127.6.0.4', TAG.whitelist)).toBe(false)
  }, 30_000)
})
