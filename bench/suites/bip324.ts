import { randomBytes } from 'node:crypto'
import { loadNetwork } from '../../src/chainparams/chainparams.ts'
import { ellswiftCreate, ellswiftEcdhXonly } from '../../src/bip324/ellswift.ts'
import { V2Session } from '../../src/bip324/session.ts'
import { MessageDecoder } from '../../src/wire/decoder.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import type { KnownMessage } from '../../src/wire/messages.ts'
import type { TimedAddress } from '../../src/netaddr/netaddress.ts'
import { nowMs, repeat, summarize } from '../lib/stats.ts'
import type { Suite } from '../lib/result.ts'
import { connectAndHandshake } from '../lib/handshake.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'

/** Handshakes per round are single: each sample is one full v2 handshake between two in-memory endpoints. */
const HANDSHAKE_ROUNDS = 200
const HANDSHAKE_BUDGET_MS = 4_000
/** Handshakes over real loopback sockets, v1 and v2 alternating, against one v2-capable sim peer. */
const SOCKET_ROUNDS = 60
const SOCKET_BUDGET_MS = 6_000
const THROUGHPUT_ROUNDS = 7
const THROUGHPUT_BUDGET_MS = 3_000
/** Messages per throughput round: about 4 MB of addrv2, 50,000 pings (a few MB either way). */
const ADDRV2_MESSAGES = 200
const PING_MESSAGES = 50_000

interface Pair { readonly initiator: V2Session, readonly responder: V2Session }

/** Both ends of a fresh session, pumped until both saw the other's version packet. */
function handshake (magic: Uint8Array): Pair {
  const initiator = new V2Session({ magic, role: 'initiator' })
  const responder = new V2Session({ magic, role: 'responder' })
  responder.start()
  let inFlight: Array<{ to: V2Session, bytes: Uint8Array }> = [{ to: responder, bytes: initiator.start() }]
  let ready = 0
  while (inFlight.length > 0) {
    const next: typeof inFlight = []
    for (const { to, bytes } of inFlight) {
      for (const event of to.push(bytes)) {
        if (event.kind === 'send') next.push({ to: to === initiator ? responder : initiator, bytes: event.bytes })
        else if (event.kind === 'ready') ready++
        else throw new Error(`handshake produced ${event.kind}`)
      }
    }
    inFlight = next
  }
  if (ready !== 2) throw new Error(`handshake ended with ${ready} of 2 sides ready`)
  return { initiator, responder }
}

function addrv2 (): KnownMessage {
  const addrs: TimedAddress[] = []
  for (let i = 0; i < 1000; i++) addrs.push({ addr: { network: 'ipv4', host: `10.${(i >> 8) & 255}.${i & 255}.1`, port: 8333 }, services: 1033n, time: 1_700_000_000 + i })
  return { command: 'addrv2', addrs }
}

/** Messages per second through one direction: encrypt (encode) all, then decrypt and decode all in one push. */
interface Timing { readonly encodeMs: number, readonly decodeMs: number, readonly bytes: number }

/** Keeps a round's timing and returns its total, the sample repeat() wants. */
function record (into: Timing[], timing: Timing): number {
  into.push(timing)
  return timing.encodeMs + timing.decodeMs
}

function v2Round (pair: Pair, messages: readonly KnownMessage[]): Timing {
  const t0 = nowMs()
  const packets = messages.map((m) => pair.initiator.encode(m))
  const t1 = nowMs()
  const wire = Buffer.concat(packets)
  const t2 = nowMs()
  const decoded = pair.responder.push(wire).filter((e) => e.kind === 'message').length
  const t3 = nowMs()
  if (decoded !== messages.length) throw new Error(`decoded ${decoded} of ${messages.length} messages`)
  return { encodeMs: t1 - t0, decodeMs: t3 - t2, bytes: wire.length }
}

function v1Round (magic: Uint8Array, messages: readonly KnownMessage[]): Timing {
  const t0 = nowMs()
  const frames = messages.map((m) => encodeMessage(magic, m))
  const t1 = nowMs()
  const wire = Buffer.concat(frames)
  const t2 = nowMs()
  const decoded = new MessageDecoder(magic).push(wire).length
  const t3 = nowMs()
  if (decoded !== messages.length) throw new Error(`v1 decoded ${decoded} of ${messages.length} messages`)
  return { encodeMs: t1 - t0, decodeMs: t3 - t2, bytes: wire.length }
}

/**
 * The floor row for each transport: TCP connect + version/verack over real loopback sockets, v1 and v2
 * interleaved in the same rounds (so machine load hits both alike), against one sim peer that serves both.
 */
async function socketHandshakeRows (report: Parameters<Suite['run']>[0]): Promise<void> {
  const sim = await startSimNetwork({ peers: { live: 1 }, port: 0, seed: 1, v2: true })
  try {
    const addr = sim.peer(0).addr
    await connectAndHandshake(addr, sim.params, 'v1') // warm-up
    await connectAndHandshake(addr, sim.params, 'v2')
    const v1: number[] = []
    const v2: number[] = []
    await repeat(SOCKET_ROUNDS, SOCKET_BUDGET_MS, async () => {
      v1.push(await connectAndHandshake(addr, sim.params, 'v1'))
      v2.push(await connectAndHandshake(addr, sim.params, 'v2'))
      return (v1.at(-1) ?? 0) + (v2.at(-1) ?? 0)
    })
    const v1Summary = summarize(v1)
    report({ name: 'floor v1: TCP connect + handshake over loopback', unit: 'ms', summary: v1Summary, extra: { note: 'interleaved with the v2 row' } })
    report({ name: 'floor v2: TCP connect + BIP324 + handshake over loopback', unit: 'ms', summary: summarize(v2), floor: v1Summary.median, extra: { note: 'against the v1 row of the same rounds' } })
  } finally {
    await sim.close()
  }
}

/** Issue 18: BIP324 handshake CPU and cipher throughput, beside v1 framing of the same messages. */
export const bip324Suite: Suite = {
  name: 'bip324',
  async run (report) {
    const magic = loadNetwork('regtest').magic
    handshake(magic) // warm-up: JIT and the curve's precomputed tables
    const handshakes = await repeat(HANDSHAKE_ROUNDS, HANDSHAKE_BUDGET_MS, () => {
      const start = nowMs()
      handshake(magic)
      return nowMs() - start
    })
    const creates = await repeat(HANDSHAKE_ROUNDS, HANDSHAKE_BUDGET_MS / 4, () => {
      const start = nowMs()
      ellswiftCreate((n) => randomBytes(n))
      return nowMs() - start
    })
    const peerKey = ellswiftCreate((n) => randomBytes(n))
    const ecdhs = await repeat(HANDSHAKE_ROUNDS, HANDSHAKE_BUDGET_MS / 4, () => {
      const start = nowMs()
      ellswiftEcdhXonly(peerKey.ellswift, peerKey.privateKey)
      return nowMs() - start
    })
    report({
      name: 'v2 handshake CPU, two in-memory endpoints',
      unit: 'ms',
      summary: summarize(handshakes),
      extra: {
        note: 'both sides: 2 key pairs + 2 ElligatorSwift ECDH + keys + version packets, 1.5 round trips with no wire',
        ellswiftCreateMedianMs: summarize(creates).median.toFixed(3),
        ellswiftEcdhMedianMs: summarize(ecdhs).median.toFixed(3)
      }
    })

    await socketHandshakeRows(report)

    let nonce = 0n
    const big = addrv2()
    const cases = [
      { label: 'ping', make: (): KnownMessage[] => Array.from({ length: PING_MESSAGES }, () => ({ command: 'ping', nonce: nonce++ })) },
      { label: 'addrv2 (1000 entries)', make: (): KnownMessage[] => Array.from({ length: ADDRV2_MESSAGES }, () => big) }
    ]
    const pair = handshake(magic)
    for (const c of cases) {
      const messages = c.make()
      const v2: Timing[] = []
      const v1: Timing[] = []
      await repeat(THROUGHPUT_ROUNDS, THROUGHPUT_BUDGET_MS, () => record(v2, v2Round(pair, messages)))
      await repeat(THROUGHPUT_ROUNDS, THROUGHPUT_BUDGET_MS, () => record(v1, v1Round(magic, messages)))
      const bytes = v2[0]?.bytes ?? 0
      for (const side of ['encodeMs', 'decodeMs'] as const) {
        const perSecond = (ms: number): number => messages.length / (ms / 1000)
        const mbps = summarize(v2.map((r) => bytes / 1e6 / (r[side] / 1000))).median
        report({
          name: `v2 ${side === 'encodeMs' ? 'encrypt' : 'decrypt + decode'} ${c.label}`,
          unit: 'msg/s',
          summary: summarize(v2.map((r) => perSecond(r[side]))),
          extra: { MBps: mbps.toFixed(1), v1MsgPerS: summarize(v1.map((r) => perSecond(r[side]))).median.toFixed(0), messages: messages.length, wireBytes: bytes, note: 'one chunk per round; higher is better' }
        })
      }
    }
  }
}
