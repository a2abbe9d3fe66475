import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadChainParams, type ChainParams } from '../../src/chainparams/chainparams.ts'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import type { Peer } from '../../src/peer/peer.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { ensureBuiltCli } from '../helpers/cli.ts'
import { honestInboundPeer, silentSocket } from '../helpers/inbound-client.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { startNodeProcess, type JsonRecord, type NodeProcess } from '../helpers/node-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// Inbound admission of the built `peerkeeper run` on loopback (docs/admission.md). Every client binds its
// own 127.x.y.z source address (all of 127.0.0.0/8 is local on Linux); the local chainparams allow local
// addresses, so each 127.A.0.0/16 is a netgroup of its own, as a routable /16 would be. The node logs
// CMGR at trace so that every rejection is a record the test can count.

const from = (prefix: string) => (r: JsonRecord): boolean => String(r.addr).startsWith(prefix)
const automatic = (r: JsonRecord): boolean => r.permanent === false

async function stop (node: NodeProcess): Promise<void> {
  node.child.kill('SIGTERM')
  expect(await node.exited).toEqual({ code: 0, signal: null })
  expect(node.otherLines).toEqual([])
}

describe('inbound admission (end to end)', () => {
  let sim: SimNetwork
  let home: string
  let params: ChainParams
  let chainparams: string
  const peers: Peer[] = []

  beforeAll(async () => {
    await ensureBuiltCli()
    sim = await startSimNetwork({ peers: { live: 4 }, port: 0, seed: 21 })
    home = tempDir('admission-e2e')
    chainparams = writeLocalChainParams(sim.port, home)
    params = loadChainParams(chainparams)
  }, 120_000)

  afterAll(async () => {
    for (const peer of peers) peer.close('test done')
    await (sim as SimNetwork | undefined)?.close()
  })

  const honest = (port: number, host: string): Peer => {
    const peer = honestInboundPeer(port, host, params)
    peers.push(peer)
    return peer
  }

  it('holds one IP to --maxinboundperip and one /16 to --maxinboundpergroup, while honest peers still get in', async () => {
    const port = await refusedPort()
    const node = startNodeProcess(['--chainparams', chainparams, '--datadir', join(home, 'floods'), '--nodnsseed', '--connect', addrKey(sim.peer(0).addr),
      '--listen', `127.0.0.1:${port}`, '--maxinboundperip', '3', '--maxinboundpergroup', '10', '--debuglevel', 'info,CMGR=trace'], { HOME: home })
    const sockets: Array<ReturnType<typeof silentSocket>> = []
    try {
      await node.waitFor('outbound_connected')

      // 50 silent sockets from one IP, and an honest peer from another during the flood.
      for (let i = 0; i < 50; i++) sockets.push(silentSocket(port, '127.40.0.1'))
      await honest(port, '127.60.0.1').handshake()
      await node.waitUntil('47 refusals of 127.40.0.1', () => node.events('inbound_rejected').filter(from('127.40.0.1:')).length === 47)
      expect(new Set(node.events('inbound_rejected').filter(from('127.40.0.1:')).map((r) => r.reason))).toEqual(new Set(['per_ip_limit']))

      // 200 silent sockets from 200 IPs of 127.50.0.0/16, and an honest peer from another group.
      for (let i = 0; i < 200; i++) sockets.push(silentSocket(port, `127.50.${i >> 6}.${(i & 63) + 1}`))
      await honest(port, '127.61.0.1').handshake()
      await node.waitUntil('190 refusals in 127.50/16', () => node.events('inbound_rejected').filter(from('127.50.')).length === 190)
      expect(new Set(node.events('inbound_rejected').filter(from('127.50.')).map((r) => r.reason))).toEqual(new Set(['per_group_limit']))

      // The honest peers completed their handshakes; nothing else was refused, and the log was summarised.
      await node.waitFor('inbound_connected', from('127.60.0.1:'))
      await node.waitFor('inbound_connected', from('127.61.0.1:'))
      expect(node.events('inbound_rejected')).toHaveLength(47 + 190)
      const summaries = node.events('inbound_rejections')
      expect(summaries.length).toBeLessThanOrEqual(5)
      expect(summaries.at(-1)?.rejected as number).toBeLessThanOrEqual(237)
      expect(node.events('outbound_disconnected')).toEqual([])
    } finally {
      for (const s of sockets) s.socket.destroy()
      await stop(node)
    }
  }, 60_000)

  it('lets an allow-listed peer in while inbound is full, refuses and never dials denied addresses, and reloads on SIGHUP', async () => {
    const port = await refusedPort()
    const conf = join(home, 'peerkeeper.conf')
    const denied = sim.peer(3).addr
    const settings = (extra: string[]): void => {
      writeFileSync(conf, ['maxinboundperip=3', 'whitelist=nolimit@127.77.0.1', `deny=${denied.host}`, 'deny=127.88.0.0/16', ...extra, ''].join('\n'))
    }
    settings([])
    // One permanent peer and 3 automatic ones wanted, with only 2 more sim peers allowed: the node keeps
    // looking, so it would dial the denied one if the deny list did not stop it. 6 peers leave 2 inbound slots.
    const node = startNodeProcess(['--chainparams', chainparams, '--datadir', join(home, 'lists'), '--nodnsseed', '--configfile', conf,
      '--addpeer', addrKey(sim.peer(0).addr), '--targetoutbound', '3', '--blockrelayonly', '0', '--maxpeers', '6', '--listen', `127.0.0.1:${port}`, '--debuglevel', 'info,CMGR=trace'], { HOME: home })
    try {
      await node.waitUntil('2 automatic outbound peers', () => node.events('outbound_connected').filter(automatic).length === 2)
      await honest(port, '127.70.0.1').handshake()
      await honest(port, '127.73.0.1').handshake()
      await expect(honest(port, '127.72.0.1').handshake()).rejects.toThrow()
      expect(await node.waitFor('inbound_rejected', from('127.72.0.1:'))).toMatchObject({ reason: 'slots_full' })
      await honest(port, '127.77.0.1').handshake() // nolimit: past the full table
      await node.waitFor('inbound_connected', from('127.77.0.1:'))
      await expect(honest(port, '127.88.3.4').handshake()).rejects.toThrow()
      expect(await node.waitFor('inbound_rejected', from('127.88.3.4:'))).toMatchObject({ reason: 'denied' })
      const second = honest(port, '127.70.0.1') // per-IP 3 is not reached: the table is full
      await expect(second.handshake()).rejects.toThrow()
      expect(await node.waitFor('inbound_rejected', from('127.70.0.1:'))).toMatchObject({ reason: 'slots_full' })

      // SIGHUP: a lower per-IP limit and a new deny entry covering the live peer from 127.70.0.1.
      settings(['maxinboundperip=1', 'deny=127.70.0.0/16'])
      node.child.kill('SIGHUP')
      const reloaded = await node.waitFor('config_reloaded')
      expect(reloaded).toMatchObject({ changed: ['maxInboundPerIp', 'deny'], dropped: 1, needRestart: [] })
      await node.waitFor('peer_disconnected', (r) => from('127.70.0.1:')(r) && r.reason === 'denied by configuration')
      // 127.73.0.1 holds one connection: before the reload a second was refused for the full table, now for the new limit (checked first).
      await expect(honest(port, '127.73.0.1').handshake()).rejects.toThrow()
      expect(await node.waitFor('inbound_rejected', from('127.73.0.1:'))).toMatchObject({ reason: 'per_ip_limit' })

      // A config file that no longer parses: reported with file:line, the node runs on with the old settings.
      writeFileSync(conf, 'maxinboundperip=1\nthis is not a setting\n')
      node.child.kill('SIGHUP')
      const failed = await node.waitFor('config_reload_failed')
      expect(failed.error).toBe(`${conf}:2: expected key=value, got "this is not a setting"`)
      node.child.kill('SIGUSR1')
      expect(await node.waitFor('status')).toMatchObject({ outbound: 2, permanentUp: 1, inbound: 2 })
      expect(node.events('outbound_disconnected')).toEqual([])
      expect(node.events('config_reloaded')).toHaveLength(1)
    } finally {
      await stop(node)
    }
    expect(sim.stats(3).connectionsAccepted).toBe(0)
    expect(node.events('dial_failed').filter((r) => r.addr === addrKey(denied)).every((r) => String(r.reason).includes('denied'))).toBe(true)
  }, 60_000)
})
