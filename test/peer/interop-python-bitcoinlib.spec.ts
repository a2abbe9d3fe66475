import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { beforeAll, afterEach, describe, expect, it } from 'vitest'
import type { TimedAddress } from '../../src/netaddr/netaddress.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { Peer } from '../../src/peer/peer.ts'
import type { PeerInit } from '../../src/peer/types.ts'
import { systemClock } from '../../src/util/clock.ts'
import { systemRandom } from '../../src/util/random.ts'
import { REGTEST } from '../helpers/peer-fixture.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'
import { loadV2Transport } from '../../src/peer/transport.ts'

beforeAll(async () => { await loadV2Transport() })

/**
 * Interoperability with python-bitcoinlib (Debian package python3-bitcoinlib; .ci/run installs it): its own
 * msg_version/msg_verack/msg_ping/msg_pong/msg_getaddr/msg_addr serializers talk to a peerkeeper Peer over
 * loopback. Real timers: nothing here waits for a timer.
 */
const SCRIPT = fileURLToPath(new URL('./python-bitcoinlib-peer.py', import.meta.url))

function findPython (): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(candidate, ['-c', 'import bitcoin.messages'], { stdio: 'ignore' })
      return candidate
    } catch { /* try the next interpreter */ }
  }
  return undefined
}

const python = findPython()
if (python === undefined) {
  console.warn('[interop] SKIPPED: python-bitcoinlib is not installed (apt-get install python3-bitcoinlib; .ci/run does this)')
}

type PyEvent = Record<string, unknown>

/** Listens on loopback, runs the Python peer in `role` against it, and hands the accepted socket to a Peer. */
async function runAgainstPython (role: 'responder' | 'initiator' | 'old', init: Partial<PeerInit> & Pick<PeerInit, 'direction'>): Promise<{ peer: Peer, events: Promise<PyEvent[]>, handshake: Promise<unknown> }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const child = spawn(python as string, [SCRIPT, role, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const events = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`python peer exited ${String(code)}: ${stderr}`)
    return stdout.split('\n').filter((l) => l.startsWith('EVENT ')).map((l) => JSON.parse(l.slice(6)) as PyEvent)
  })
  const [socket] = await once(server, 'connection') as [Socket]
  server.close()
  const peer = new Peer(socket, { clock: systemClock, random: systemRandom, logger: recordingLogger() }, {
    id: 1,
    addr: { network: 'ipv4', host: '127.0.0.1', port: socket.remotePort ?? 0 },
    params: REGTEST,
    nonces: new NonceRegistry(systemRandom),
    ...init
  })
  const handshake = peer.handshake().catch((e: unknown) => e)
  return { peer, events, handshake }
}

const pick = (events: PyEvent[], key: string): PyEvent[] => events.filter((e) => key in e)

describe.skipIf(python === undefined)('interop with python-bitcoinlib', () => {
  const peers: Peer[] = []
  afterEach(() => { for (const p of peers.splice(0)) p.close('test over') })

  it('outbound: handshake, ping/pong both ways, and our getaddr answered with addr', async () => {
    const learned: TimedAddress[] = []
    const { peer, events, handshake } = await runAgainstPython('responder', {
      direction: 'outbound',
      wantAddresses: () => true,
      addrSink: { addAddresses: (addrs) => { learned.push(...addrs) } }
    })
    peers.push(peer)
    const gotAddrs = once(peer, 'addr')
    expect(await handshake).toMatchObject({ version: 70016, userAgent: '/python-bitcoinlib:0.11.2/', startHeight: 123, services: 9n })
    await gotAddrs
    const py = await events
    expect(pick(py, 'version')[0]).toMatchObject({ version: 70016, userAgent: '/peerkeeper:0.1.0/', relay: false, services: 0 })
    expect(pick(py, 'pongNonceMatches')).toEqual([{ pongNonceMatches: true }])
    expect(py.at(-1)).toEqual({ done: true })
    expect(peer.latencyMs).toBeGreaterThanOrEqual(0) // python answered our ping
    expect(learned.map((a) => `${a.addr.host}:${a.addr.port}`)).toEqual([1, 2, 3, 4, 5].map((i) => `203.0.113.${i}:8333`))
    expect(peer.banScore.int()).toBe(0)
  })

  it('inbound: python dials us; our addr reply to its getaddr parses with its msg_addr', async () => {
    const sample: TimedAddress[] = [
      { addr: { network: 'ipv4', host: '198.51.100.7', port: 8333 }, services: 1033n, time: Math.floor(Date.now() / 1000) },
      { addr: { network: 'ipv6', host: '2001:db8::7', port: 18444 }, services: 1n, time: Math.floor(Date.now() / 1000) }
    ]
    const { peer, events, handshake } = await runAgainstPython('initiator', { direction: 'inbound', getAddrSample: () => sample })
    peers.push(peer)
    expect(await handshake).toMatchObject({ direction: 'inbound', version: 70016 })
    const py = await events
    expect(pick(py, 'addrs')).toEqual([{ addrs: [
      { ip: '198.51.100.7', port: 8333, services: 1033 },
      { ip: '2001:db8::7', port: 18444, services: 1 }
    ] }])
    expect(pick(py, 'pongNonceMatches')).toEqual([{ pongNonceMatches: true }])
    expect(py.at(-1)).toEqual({ done: true })
    expect(peer.banScore.int()).toBe(0)
  })

  it('a v2 attempt to python-bitcoinlib (v1 only) is closed unanswered, so the dialer may fall back to v1', async () => {
    const { peer, events, handshake } = await runAgainstPython('responder', { direction: 'outbound', transport: 'v2' })
    peers.push(peer)
    expect(await handshake).toMatchObject({ name: 'PeerClosedError' })
    const py = await events
    expect(pick(py, 'version')).toEqual([]) // our key was no v1 message to it
    expect(pick(py, 'closed')).toHaveLength(1)
    expect(peer.shouldReconnectV1).toBe(true)
  })

  it('inbound detection serves python-bitcoinlib as v1 on a v2-capable session', async () => {
    const { peer, events, handshake } = await runAgainstPython('initiator', {
      direction: 'inbound',
      transport: 'detect',
      getAddrSample: () => [{ addr: { network: 'ipv4', host: '198.51.100.9', port: 8333 }, services: 1n, time: Math.floor(Date.now() / 1000) }]
    })
    peers.push(peer)
    expect(await handshake).toMatchObject({ direction: 'inbound', version: 70016, transport: 'v1' })
    const py = await events
    expect(pick(py, 'pongNonceMatches')).toEqual([{ pongNonceMatches: true }])
    expect(py.at(-1)).toEqual({ done: true })
  })

  it("refuses python-bitcoinlib's default protocol 60002 without a ban", async () => {
    const { peer, events, handshake } = await runAgainstPython('old', { direction: 'inbound' })
    peers.push(peer)
    expect(await handshake).toMatchObject({ name: 'PeerRefusedError', reason: 'old-version' })
    const py = await events
    expect(pick(py, 'closed')).toHaveLength(1)
    expect(pick(py, 'version')).toEqual([])
    expect(peer.banScore.int()).toBe(0)
  })
})
