import { isIPv4, isIPv6 } from 'node:net'
import { Packet, TCPServer, UDPServer, type Resource } from 'dns2'

/** Records a name answers: any mix of IPv4 (A) and IPv6 (AAAA) addresses. */
export interface SeedRecords {
  a?: string[]
  aaaa?: string[]
}

export interface DnsSeedServerInit {
  records: Record<string, SeedRecords>
  /** Names that get no answer at all (a dead seed). */
  silent?: string[]
  /** Names answered with our query id followed by bytes that are not DNS (a broken seed). */
  garbage?: string[]
  /**
   * Over UDP, an answer with more records than this carries only the first ones and sets TC (truncated),
   * as a real server does past the datagram size. @default no limit
   */
  truncateAbove?: number
  /** Also answer over TCP on the same port, always in full (where a client retries a truncated answer). */
  tcp?: boolean
  /** Loopback only: the server exists for tests, the simulator and the demo. */
  host?: '127.0.0.1'
  /** @default 0 (any free port) */
  port?: number
}

export interface DnsQueryRecord {
  readonly name: string
  /** 'A', 'AAAA', or the numeric type of anything else asked. */
  readonly type: string
  readonly transport: 'udp' | 'tcp'
}

export interface DnsSeedServer {
  readonly host: string
  readonly port: number
  /** Every question received, in order. */
  readonly queries: readonly DnsQueryRecord[]
  /** Resolves once `name` has been asked (of `type`, if given). */
  waitForQuery(name: string, type?: string): Promise<void>
  close(): Promise<void>
}

/** Seconds the answers may be cached: short, the simulated network changes. */
const ANSWER_TTL_S = 60
const RCODE_NXDOMAIN = 3
/** QR=1 RD=1 RA=1 NOERROR, one question, one answer: a header that promises records the body lacks. */
const GARBAGE_HEADER = [0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]

function normalise (name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase()
}

function typeName (type: number): string {
  return type === Packet.TYPE.A ? 'A' : type === Packet.TYPE.AAAA ? 'AAAA' : String(type)
}

function validate (records: Record<string, SeedRecords>): Map<string, SeedRecords> {
  const table = new Map<string, SeedRecords>()
  for (const [name, r] of Object.entries(records)) {
    for (const ip of r.a ?? []) if (!isIPv4(ip)) throw new Error(`dns seed server: ${name}: "${ip}" is not an IPv4 address`)
    for (const ip of r.aaaa ?? []) if (!isIPv6(ip)) throw new Error(`dns seed server: ${name}: "${ip}" is not an IPv6 address`)
    table.set(normalise(name), r)
  }
  return table
}

/**
 * A DNS seed on loopback, built on dns2's UDP server (and its TCP server when asked): A and AAAA records
 * per name, NXDOMAIN for unknown names, plus names that never answer, names that answer garbage, and
 * truncated UDP answers, to exercise a seeder's failure paths.
 */
/** An ephemeral UDP port may already be held on TCP by some other socket: then try another pair. */
const PORT_PAIR_ATTEMPTS = 10

type Answer = (request: Packet, send: (response: Packet | Buffer) => Promise<Buffer>, transport: 'udp' | 'tcp') => void

async function listenTcp (tcp: TCPServer, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject)
    tcp.listen(port, host, () => { tcp.off('error', reject); resolve() })
  })
}

/** The UDP server and, if asked for, a TCP server on the same port. */
async function listenPair (host: string, init: DnsSeedServerInit, answer: Answer): Promise<{ server: UDPServer, tcp: TCPServer | undefined, port: number }> {
  for (let attempt = 1; ; attempt++) {
    const server = new UDPServer((request, send) => { answer(request, send, 'udp') })
    await server.listen(init.port ?? 0, host)
    const { port } = server.address()
    if (init.tcp !== true) return { server, tcp: undefined, port }
    const tcp = new TCPServer((request, send) => { answer(request, send, 'tcp') })
    try {
      await listenTcp(tcp, port, host)
      return { server, tcp, port }
    } catch (err) {
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
      const taken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      if (!taken || init.port !== undefined || attempt === PORT_PAIR_ATTEMPTS) throw err
    }
  }
}

export async function startDnsSeedServer (init: DnsSeedServerInit): Promise<DnsSeedServer> {
  const table = validate(init.records)
  const silent = new Set((init.silent ?? []).map(normalise))
  const garbage = new Set((init.garbage ?? []).map(normalise))
  const queries: DnsQueryRecord[] = []
  const waiters: Array<{ name: string, type: string | undefined, resolve: () => void }> = []

  const answer: Answer = (request, send, transport) => {
    const question = request.questions[0]
    if (question === undefined) return
    const name = normalise(question.name)
    const type = typeName(question.type)
    queries.push({ name, type, transport })
    for (const w of waiters.filter((w) => w.name === name && (w.type === undefined || w.type === type))) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve()
    }
    if (silent.has(name)) return
    if (garbage.has(name)) {
      const id = Buffer.alloc(2)
      id.writeUInt16BE(request.header.id)
      void send(Buffer.concat([id, Buffer.from(GARBAGE_HEADER), Buffer.from('not a dns message')]))
      return
    }
    const response = Packet.createResponseFromRequest(request)
    const records = table.get(name)
    if (records === undefined) {
      response.header.rcode = RCODE_NXDOMAIN
    } else {
      let addresses = type === 'A' ? records.a ?? [] : type === 'AAAA' ? records.aaaa ?? [] : []
      if (transport === 'udp' && init.truncateAbove !== undefined && addresses.length > init.truncateAbove) {
        addresses = addresses.slice(0, init.truncateAbove)
        response.header.tc = 1
      }
      for (const address of addresses) {
        response.answers.push(Packet.createResourceFromQuestion(question, { type: question.type, class: Packet.CLASS.IN, ttl: ANSWER_TTL_S, address } as Partial<Resource>))
      }
    }
    void send(response)
  }

  const host = init.host ?? '127.0.0.1'
  const { server, tcp, port } = await listenPair(host, init, answer)
  return {
    host,
    port,
    queries,
    waitForQuery: async (name, type) => {
      const n = normalise(name)
      if (queries.some((q) => q.name === n && (type === undefined || q.type === type))) return
      await new Promise<void>((resolve) => { waiters.push({ name: n, type, resolve }) })
    },
    close: async () => {
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
      if (tcp !== undefined) await new Promise<void>((resolve) => { tcp.close(() => { resolve() }) })
    }
  }
}
