import { createSocket } from 'node:dgram'
import { isIPv6Text } from '../netaddr/ip-text.ts'
import { addrKey, bytesToIp, ipToBytes, type HostPort } from '../netaddr/netaddress.ts'
import { anySignal, clockTimeoutSignal, type Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import { DnsMalformedResponseError, DnsNameError, DnsQueryError, DnsServerError, DnsTimeoutError } from './errors.ts'
import { exchangeTcp } from './dns-tcp.ts'
import { ADDRESS_RECORD_TYPE, decodeDnsAnswer, type DnsAnswer } from './dns-answer.ts'
import { encodeDnsQuery } from './dns-question.ts'

export type AddressRecordType = keyof typeof ADDRESS_RECORD_TYPE

/** Like the C library's resolver: a query has 5 s to find an answer. */
export const DNS_QUERY_TIMEOUT_MS = 5_000
/** UDP may drop the query or the answer: ask again at this interval until the timeout. */
export const DNS_RETRANSMIT_INTERVAL_MS = 2_000
/**
 * A truncated (TC) UDP answer is asked again over TCP for at most this long; past it, or if TCP fails,
 * the addresses the truncated answer did hold are used (a seed's answer has more than a seeder keeps).
 */
export const DNS_TCP_TIMEOUT_MS = 3_000
/** Advertised EDNS payload size (the DNS flag day value) so a seed's 25-40 addresses fit in one datagram. */
const EDNS_UDP_PAYLOAD_BYTES = 1232
const RCODE_NOERROR = 0
const RCODE_NXDOMAIN = 3
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED']

export interface DnsQueryContext {
  clock: Clock
  random: Random
  signal: AbortSignal
  timeoutMs: number
}

function sameIp (a: string, b: string): boolean {
  return bytesToIp(ipToBytes(a)) === bytesToIp(ipToBytes(b))
}

function trimDot (name: string): string {
  return name.endsWith('.') ? name.slice(0, -1).toLowerCase() : name.toLowerCase()
}

interface Answer {
  readonly addresses: string[]
  /** The server set TC: the answer did not fit in the datagram and the records may be incomplete. */
  readonly truncated: boolean
}

/** The addresses in a response to our query, or the error it stands for. */
function interpret (message: Uint8Array, name: string, type: AddressRecordType, server: string): Answer {
  let packet: DnsAnswer
  try {
    packet = decodeDnsAnswer(message)
  } catch (err) {
    throw new DnsMalformedResponseError(name, server, (err as Error).message)
  }
  if (packet.qr !== 1) throw new DnsMalformedResponseError(name, server, 'the message is a query, not a response')
  const question = packet.question
  if (question === undefined || trimDot(question.name) !== trimDot(name) || question.type !== ADDRESS_RECORD_TYPE[type]) {
    throw new DnsMalformedResponseError(name, server, 'it answers a different question')
  }
  const rcode = packet.rcode
  if (rcode === RCODE_NXDOMAIN) throw new DnsNameError(name, server)
  if (rcode !== RCODE_NOERROR) throw new DnsServerError(name, server, rcode, RCODE_NAMES[rcode] ?? 'an error')
  // A recursive server may put a CNAME chain before the addresses; only records of the asked type count.
  const addresses = packet.answers.filter((r) => r.type === ADDRESS_RECORD_TYPE[type] && r.address !== undefined).map((r) => r.address as string)
  return { addresses, truncated: packet.tc === 1 }
}

/** One server: over UDP, and again over TCP when the UDP answer comes back truncated. */
async function askServer (server: HostPort, name: string, type: AddressRecordType, ctx: DnsQueryContext, signal: AbortSignal): Promise<string[]> {
  const label = addrKey(server)
  const id = ctx.random.int(0x10000)
  const query = encodeDnsQuery(id, name, type, EDNS_UDP_PAYLOAD_BYTES)
  const udp = interpret(await exchangeUdp(server, id, query, ctx, signal), name, type, label)
  if (!udp.truncated) return udp.addresses
  const timeout = clockTimeoutSignal(ctx.clock, DNS_TCP_TIMEOUT_MS, () => new DnsTimeoutError(name, `${type} (TCP)`, label, DNS_TCP_TIMEOUT_MS))
  const tcpSignal = anySignal([signal, timeout.signal])
  try {
    return interpret(await exchangeTcp(server, query, tcpSignal.signal), name, type, `${label} over TCP`).addresses
  } catch (err) {
    if (signal.aborted) throw err // the whole query ended (answered elsewhere, timed out, shut down)
    if (udp.addresses.length > 0) return udp.addresses
    throw new DnsQueryError(`${name}: the ${type} answer from ${label} was truncated and TCP failed (${(err as Error).message})`)
  } finally {
    timeout.clear()
    tcpSignal.clear()
  }
}

/** One query over UDP: resends until answered or aborted; ignores datagrams that are not its answer. */
function exchangeUdp (server: HostPort, id: number, query: Buffer, ctx: DnsQueryContext, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error)
      return
    }
    const socket = createSocket(isIPv6Text(server.host) ? 'udp6' : 'udp4')
    const finish = (settle: () => void): void => {
      ctx.clock.clearInterval(retransmit)
      signal.removeEventListener('abort', onAbort)
      socket.close()
      settle()
    }
    const onAbort = (): void => { finish(() => { reject(signal.reason as Error) }) }
    const send = (): void => {
      socket.send(query, server.port, server.host, (err) => { if (err !== null) finish(() => { reject(err) }) })
    }
    socket.on('message', (message, from) => {
      // Datagrams from elsewhere, or without our id, are not our answer (possibly spoofed): keep waiting.
      if (from.port !== server.port || !sameIp(from.address, server.host)) return
      if (message.length < 2 || message.readUInt16BE(0) !== id) return
      finish(() => { resolve(message) })
    })
    socket.once('error', (err) => { finish(() => { reject(err) }) })
    const retransmit = ctx.clock.setInterval(send, DNS_RETRANSMIT_INTERVAL_MS)
    signal.addEventListener('abort', onAbort, { once: true })
    send()
  })
}

/** The first server's addresses; NXDOMAIN from any server is final; otherwise every server's failure. */
function firstAnswer (attempts: Array<Promise<string[]>>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const errors: Error[] = []
    for (const attempt of attempts) {
      attempt.then(resolve, (err: Error) => {
        if (err instanceof DnsNameError) reject(err)
        errors.push(err)
        if (errors.length < attempts.length) return
        const distinct = [...new Set(errors)]
        reject(distinct.length === 1 ? distinct[0] : new DnsQueryError(distinct.map((e) => e.message).join('; ')))
      })
    }
  })
}

/** Asks every server at once for the A or AAAA records of `name` (dns-question.ts writes the query, dns-answer.ts reads the answer). */
export async function queryDns (name: string, type: AddressRecordType, servers: readonly HostPort[], ctx: DnsQueryContext): Promise<string[]> {
  if (servers.length === 0) throw new DnsQueryError(`${name}: no DNS server configured`)
  const serverList = servers.map(addrKey).join(', ')
  const timeout = clockTimeoutSignal(ctx.clock, ctx.timeoutMs, () => new DnsTimeoutError(name, type, serverList, ctx.timeoutMs))
  const done = new AbortController()
  const signal = anySignal([ctx.signal, timeout.signal, done.signal])
  try {
    return await firstAnswer(servers.map((server) => askServer(server, name, type, ctx, signal.signal)))
  } finally {
    // Stops the servers that have not answered yet.
    done.abort(new Error('query settled'))
    timeout.clear()
    signal.clear()
  }
}
