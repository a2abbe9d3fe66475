import { once } from 'node:events'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { httpRequest } from '../helpers/http-request.ts'
import { startRpcNode, type RpcNode } from '../helpers/rpc-node.ts'

// The JSON-RPC methods against a running node (real sockets, simulated peers, real LevelDB), over real HTTP.

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function simNetwork (live: number): Promise<SimNetwork> {
  const sim = await startSimNetwork({ peers: { live }, port: 0, seed: 21 })
  cleanup.push(async () => { await sim.close() })
  return sim
}

async function result (rpc: RpcNode, method: string, params: unknown[] | Record<string, unknown> = []): Promise<unknown> {
  const reply = await rpc.call(method, params)
  if (reply.error !== null) throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`)
  return reply.result
}

async function errorOf (rpc: RpcNode, method: string, params: unknown[] | Record<string, unknown> = []): Promise<{ code: number, message: string }> {
  const reply = await rpc.call(method, params)
  expect(reply.result).toBeNull()
  if (reply.error === null) throw new Error(`${method} succeeded`)
  return reply.error
}

describe('RPC methods on a running node', () => {
  it('getpeerinfo, getconnectioncount, getnetworkinfo, getnettotals, getstatus, uptime and help describe the live node', async () => {
    const sim = await simNetwork(6)
    const rpc = await startRpcNode(sim, { addpeer: [addrKey(sim.peer(0).addr)], targetoutbound: 2, externalip: ['203.0.113.5:18444'] }, cleanup)
    const { node, log } = rpc
    await log.waitUntil('2 automatic and 1 permanent peer', () => node.status()?.outbound === 2 && node.status()?.permanentUp === 1)
    // Each session pings at its handshake: wait for the pongs not in yet.
    await Promise.all((node.registry?.all() ?? []).filter((c) => c.session.latencyMs === undefined).map(async (c) => await once(c.session, 'pong')))

    const peers = await result(rpc, 'getpeerinfo') as Array<Record<string, unknown>>
    expect(peers).toHaveLength(3)
    const nowS = Date.now() / 1000
    for (const p of peers) {
      expect(p).toMatchObject({
        id: expect.any(Number), addr: expect.stringMatching(/^127\.\d+\.0\.1:\d+$/), network: 'ipv4', inbound: false,
        services: expect.stringMatching(/^[0-9a-f]{16}$/), version: expect.any(Number), subver: expect.stringMatching(/^\//),
        startingheight: expect.any(Number), banscore: 0, transport_protocol_type: 'v1', tags: {}
      })
      expect(['outbound-full-relay', 'manual']).toContain(p.connection_type)
      for (const field of ['conntime', 'lastsend', 'lastrecv']) expect(Math.abs((p[field] as number) - nowS)).toBeLessThan(120)
      expect(p.bytessent).toBeGreaterThan(0)
      expect(p.bytesrecv).toBeGreaterThan(0)
      expect(p.pingtime).toBeGreaterThanOrEqual(0)
      expect(p.minping).toBeLessThanOrEqual(p.pingtime as number)
      expect((p.bytessent_per_msg as Record<string, number>).version).toBeGreaterThan(24)
      expect((p.bytesrecv_per_msg as Record<string, number>).verack).toBe(24)
    }
    expect(peers.filter((p) => p.connection_type === 'manual').map((p) => p.addr)).toEqual([addrKey(sim.peer(0).addr)])

    expect(await result(rpc, 'getconnectioncount')).toBe(3)
    expect(await result(rpc, 'getnetworkinfo')).toMatchObject({
      version: 100, subversion: '/peerkeeper:0.1.0/', connections: 3, connections_in: 0, connections_out: 3, networkactive: true,
      networks: expect.arrayContaining([{ name: 'ipv4', limited: false, reachable: true, proxy: '', proxy_randomize_credentials: false }]),
      localaddresses: [{ address: '203.0.113.5', port: 18444, score: 4 }]
    })
    const totals = await result(rpc, 'getnettotals') as Record<string, number>
    const sum = (field: string): number => peers.reduce((s, p) => s + (p[field] as number), 0)
    expect(totals.totalbytesrecv).toBeGreaterThanOrEqual(sum('bytesrecv'))
    expect(totals.totalbytessent).toBeGreaterThanOrEqual(sum('bytessent'))
    expect(await result(rpc, 'getstatus')).toEqual(node.status())
    expect(await result(rpc, 'uptime')).toBeGreaterThanOrEqual(0)

    const help = await result(rpc, 'help') as string
    for (const name of ['getpeerinfo', 'addnode node command', 'disconnectnode ( address nodeid )', 'setban subnet command ( bantime absolute reason )', 'listbanned', 'clearbanned',
      'getnodeaddresses ( count network )', 'addpeeraddress address port ( tried )', 'getaddrmaninfo', 'getaddednodeinfo ( node )', 'uptime', 'stop', 'getstatus', 'reloadconfig']) {
      expect(help).toContain(name)
    }
    expect(await result(rpc, 'help', ['setban'])).toContain('2. command (string, required)')
  })

  it('addnode adds a permanent peer kept with backoff, removes it for good, and dials one once; getaddednodeinfo follows', async () => {
    const sim = await simNetwork(4)
    const rpc = await startRpcNode(sim, { targetoutbound: 0, addpeer: [addrKey(sim.peer(0).addr)] }, cleanup)
    const { node, log } = rpc
    await log.waitUntil('the configured peer', () => node.status()?.permanentUp === 1)
    const added = addrKey(sim.peer(1).addr)
    expect(await result(rpc, 'addnode', [added, 'add'])).toBeNull()
    await log.waitFor('peer_handshake', (f) => f.addr === added)
    expect(node.registry?.all().find((c) => c.key === added)?.kind).toBe('manual')
    expect(node.status()?.permanentTotal).toBe(2)
    expect(await errorOf(rpc, 'addnode', [added, 'add'])).toEqual({ code: -23, message: 'Error: Node already added' })
    expect(await result(rpc, 'getaddednodeinfo')).toEqual([
      { addednode: addrKey(sim.peer(0).addr), connected: true, addresses: [{ address: addrKey(sim.peer(0).addr), connected: 'outbound' }] },
      { addednode: added, connected: true, addresses: [{ address: added, connected: 'outbound' }] }
    ])

    // Removed, an added node is closed and not retried.
    expect(await result(rpc, 'addnode', [added, 'remove'])).toBeNull()
    await log.waitUntil('the removed peer is gone', () => node.registry?.all().every((c) => c.key !== added) === true)
    expect(await errorOf(rpc, 'addnode', [added, 'remove'])).toMatchObject({ code: -24 })
    expect(await errorOf(rpc, 'getaddednodeinfo', [added])).toEqual({ code: -24, message: 'Error: Node has not been added.' })

    const once = addrKey(sim.peer(2).addr)
    expect(await result(rpc, 'addnode', [once, 'onetry'])).toBeNull()
    await log.waitFor('peer_handshake', (f) => f.addr === once)
    expect(node.registry?.all().find((c) => c.key === once)?.kind).toBe('manual')
    expect((await result(rpc, 'getaddednodeinfo') as unknown[]).length).toBe(1)

    expect((await errorOf(rpc, 'addnode', [added, 'maybe'])).code).toBe(-32602)
    expect(await errorOf(rpc, 'addnode', ['not an address!', 'add'])).toMatchObject({ code: -8, message: expect.stringContaining('addnode: "not an address!"') })
  })

  it('disconnectnode closes a connection by id or address (a permanent peer comes back); -29 for none, -32602 for both', async () => {
    const sim = await simNetwork(3)
    const rpc = await startRpcNode(sim, { targetoutbound: 0, connect: [addrKey(sim.peer(0).addr), addrKey(sim.peer(1).addr)] }, cleanup)
    const { node, log } = rpc
    await log.waitUntil('2 permanent peers', () => node.status()?.permanentUp === 2)
    const first = node.registry?.all().find((c) => c.key === addrKey(sim.peer(0).addr))
    expect(await result(rpc, 'disconnectnode', [null, first?.id])).toBeNull()
    const gone = await log.waitFor('peer_disconnected', (f) => f.id === first?.id)
    expect(gone.fields.reason).toBe('disconnected by RPC disconnectnode')
    expect(await result(rpc, 'disconnectnode', [addrKey(sim.peer(1).addr)])).toBeNull()
    await log.waitFor('peer_disconnected', (f) => f.addr === addrKey(sim.peer(1).addr))
    await log.waitUntil('both reconnected with backoff', () => node.status()?.permanentUp === 2 && log.events('retry_scheduled').length >= 2)

    expect(await errorOf(rpc, 'disconnectnode', ['127.9.9.9:1'])).toEqual({ code: -29, message: 'Node not found in connected nodes' })
    expect(await errorOf(rpc, 'disconnectnode', [null, 9999])).toMatchObject({ code: -29 })
    expect((await errorOf(rpc, 'disconnectnode', [addrKey(sim.peer(1).addr), 1])).code).toBe(-32602)
    expect((await errorOf(rpc, 'disconnectnode', [])).code).toBe(-32602)
  })

  it('setban drops the covered peer and keeps it out, listbanned shows it, clearbanned lets it back; the bans are in the store', async () => {
    const sim = await simNetwork(3)
    const rpc = await startRpcNode(sim, { targetoutbound: 1 }, cleanup)
    const { node, log } = rpc
    const victim = sim.peer(1).addr
    // The only address the node knows: its one automatic peer.
    expect(await result(rpc, 'addpeeraddress', [victim.host, victim.port])).toEqual({ success: true })
    await log.waitFor('outbound_connected', (f) => f.addr === addrKey(victim))
    expect(await result(rpc, 'setban', [`${victim.host}/32`, 'add', 3600])).toBeNull()
    expect((await log.waitFor('peer_disconnected', (f) => f.addr === addrKey(victim))).fields.reason).toBe('banned: manual')
    // Not dialed again while banned: the book has nothing else to offer.
    await log.waitFor('address_unavailable')
    expect(node.registry?.size).toBe(0)
    const banned = await result(rpc, 'listbanned') as Array<Record<string, unknown>>
    expect(banned).toEqual([{ address: victim.host, ban_created: expect.any(Number), banned_until: expect.any(Number), ban_duration: 3600, time_remaining: expect.any(Number), reason: 'manual' }])
    expect((banned[0]?.banned_until as number) - (banned[0]?.ban_created as number)).toBe(3600)
    expect(await errorOf(rpc, 'setban', [victim.host, 'add'])).toEqual({ code: -23, message: 'Error: IP/Subnet already banned' })
    expect(await errorOf(rpc, 'setban', ['300.1.2.3', 'add'])).toEqual({ code: -30, message: 'Error: Invalid IP/Subnet' })
    expect((await errorOf(rpc, 'setban', ['10.0.0.0/8', 'remove'])).code).toBe(-30)
    expect((await errorOf(rpc, 'setban', ['10.0.0.0/8', 'ban'])).code).toBe(-32602)
    expect((await errorOf(rpc, 'setban', ['10.0.0.0/8', 'add', '60'])).message).toBe('setban: parameter "bantime" (position 3) must be a number, got "60"')
    expect(await errorOf(rpc, 'setban', ['10.0.0.0/8', 'add', 1000, true])).toEqual({ code: -8, message: 'Error: Absolute timestamp is in the past' })
    expect(await result(rpc, 'setban', { subnet: '10.0.0.0/8', command: 'add', reason: 'ops ticket 7' })).toBeNull()
    expect((await result(rpc, 'listbanned') as Array<{ reason: string }>).map((b) => b.reason)).toEqual(['manual', 'ops ticket 7'])

    expect(await result(rpc, 'clearbanned')).toBeNull()
    expect(await result(rpc, 'listbanned')).toEqual([])
    await log.waitFor('outbound_connected', (f) => f.addr === addrKey(victim) && log.events('peer_disconnected').length > 0)
    expect(await result(rpc, 'setban', ['10.1.0.0/16', 'add', 0])).toBeNull()
    await node.stop()
    const stored = await NodeStore.readSnapshot(rpc.datadir, { clock: systemClock })
    expect(stored.bans.map((b) => [b.target, b.reason])).toEqual([['10.1.0.0/16', 'manual']])
  })

  it('getnodeaddresses, addpeeraddress and getaddrmaninfo work on the address book', async () => {
    const sim = await simNetwork(2)
    const rpc = await startRpcNode(sim, { targetoutbound: 0 }, cleanup)
    expect(await result(rpc, 'getaddrmaninfo')).toMatchObject({ all_networks: { new: 0, tried: 0, total: 0 } })
    expect(await result(rpc, 'addpeeraddress', ['127.5.0.1', 8333])).toEqual({ success: true })
    expect(await result(rpc, 'addpeeraddress', ['127.6.0.1', 8333, true])).toEqual({ success: true })
    expect(await result(rpc, 'addpeeraddress', ['not-an-ip', 8333])).toEqual({ success: false, error: 'not an IP address, .onion or .i2p host' })
    expect(await result(rpc, 'getaddrmaninfo')).toEqual({
      ipv4: { new: 1, tried: 1, total: 2 }, ipv6: { new: 0, tried: 0, total: 0 }, onion: { new: 0, tried: 0, total: 0 },
      i2p: { new: 0, tried: 0, total: 0 }, cjdns: { new: 0, tried: 0, total: 0 }, all_networks: { new: 1, tried: 1, total: 2 }
    })
    const all = await result(rpc, 'getnodeaddresses', [0]) as Array<Record<string, unknown>>
    expect(all.map((a) => a.address).sort()).toEqual(['127.5.0.1', '127.6.0.1'])
    expect(all[0]).toEqual({ time: expect.any(Number), services: 9, address: expect.any(String), port: 8333, network: 'ipv4' })
    expect(await result(rpc, 'getnodeaddresses')).toHaveLength(1)
    expect(await result(rpc, 'getnodeaddresses', [0, 'onion'])).toEqual([])
    expect(await errorOf(rpc, 'getnodeaddresses', [1, 'tor'])).toEqual({ code: -8, message: 'Network not recognized: tor' })
    expect(await errorOf(rpc, 'getnodeaddresses', [-1])).toEqual({ code: -8, message: 'Address count out of range' })
  })

  it('answers batches, 1.0 and 2.0 alike, with Core\'s codes for what it cannot run; the cookie is 0600 and gone after stop', async () => {
    const sim = await simNetwork(1)
    const rpc = await startRpcNode(sim, { targetoutbound: 0 }, cleanup)
    const batch = await rpc.post([
      { jsonrpc: '2.0', method: 'getconnectioncount', id: 1 },
      { method: 'nosuchmethod', id: 2 },
      { jsonrpc: '2.0', method: 'uptime', params: [1], id: 3 },
      { jsonrpc: '2.0', method: 'getconnectioncount' },
      7
    ])
    expect(batch.status).toBe(200)
    expect(batch.json).toEqual([
      { jsonrpc: '2.0', result: 0, id: 1 },
      { result: null, error: { code: -32601, message: 'Method not found: nosuchmethod' }, id: 2 },
      { jsonrpc: '2.0', error: { code: -32602, message: 'uptime: too many parameters (takes at most 0; got 1)' }, id: 3 },
      { result: null, error: { code: -32600, message: 'Invalid Request object' }, id: null }
    ])
    const parse = await httpRequest(rpc.port, { auth: rpc.auth, body: '{"method":' })
    expect([parse.status, JSON.parse(parse.body).error.code]).toEqual([500, -32700])
    expect((await rpc.post({ id: 1, params: [] })).json).toMatchObject({ error: { code: -32600, message: 'Missing method' } })
    expect((await httpRequest(rpc.port, { auth: '__cookie__:wrong', body: '{}' })).status).toBe(401)
    expect((await errorOf(rpc, 'reloadconfig')).code).toBe(-1)

    const cookie = join(rpc.datadir, '.cookie')
    expect((await stat(cookie)).mode & 0o777).toBe(0o600)
    const stopReply = await rpc.call('stop')
    expect(stopReply).toEqual({ result: 'peerkeeper stopping', error: null, id: 1 })
    await rpc.log.waitFor('node_stopped')
    await expect(stat(cookie)).rejects.toThrow(/ENOENT/)
  })
})
