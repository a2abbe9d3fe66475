import { createServer, type Server, type Socket } from 'node:net'
import { nullLogger } from '../../../src/log/logger.ts'
import type { NetAddress, TimedAddress } from '../../../src/netaddr/netaddress.ts'
import { SIM_SERVICES } from '../../../src/sim/gossip.ts'
import { resolveBehaviour } from '../../../src/sim/profiles.ts'
import { SimConnection, type SimPeerStats } from '../../../src/sim/sim-connection.ts'
import { unixSeconds, type Clock, type TimerHandle } from '../../../src/util/clock.ts'
import type { Random } from '../../../src/util/random.ts'
import { encodeMessage } from '../../../src/wire/encode.ts'

/** Core's cap on one addr message. */
const ADDR_MESSAGE_MAX = 1000

export interface AttackerInit {
  /** Where the hub listens; every attacker address is routed here by the honest nodes' dialer. */
  readonly host: string
  readonly port: number
  readonly magic: Uint8Array
  /** The attacker's addresses: what it gossips, and what it answers on. */
  readonly addresses: readonly NetAddress[]
  /** Unsolicited addr pushes on each connection, this often (simulated ms). */
  readonly pushIntervalMs: number
}

/**
 * The eclipse attacker: one real TCP listener standing for every attacker address (the honest nodes'
 * dialer sends any attacker address here), which accepts every connection, completes the handshake like
 * a full node, answers getaddr with 1000 of its own addresses and pushes 1000 more on every connection
 * at each interval. It never mentions an honest address.
 */
export class Attacker {
  readonly #c: { clock: Clock, random: Random }
  readonly #init: AttackerInit
  readonly #server: Server
  readonly #established = new Set<Socket>()
  readonly stats: SimPeerStats = { connectionsAccepted: 0, handshakes: 0, messagesReceived: 0, messagesSent: 0, openConnections: 0, received: {} }
  #timer: TimerHandle | undefined

  constructor (components: { clock: Clock, random: Random }, init: AttackerInit) {
    this.#c = components
    this.#init = init
    this.#server = createServer((socket) => { this.#accept(socket) })
  }

  async start (): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen({ host: this.#init.host, port: this.#init.port, backlog: 1024 }, resolve)
    })
    this.#timer = this.#c.clock.setInterval(() => { this.#push() }, this.#init.pushIntervalMs)
  }

  async close (): Promise<void> {
    if (this.#timer !== undefined) this.#c.clock.clearInterval(this.#timer)
    for (const socket of this.#established) socket.destroy()
    this.#server.close()
    await new Promise((resolve) => { setImmediate(resolve) })
  }

  /** A random sample of the attacker's addresses, stamped as just seen. */
  sample (): TimedAddress[] {
    const { addresses } = this.#init
    const nowS = unixSeconds(this.#c.clock)
    const out: TimedAddress[] = []
    for (let i = 0; i < Math.min(ADDR_MESSAGE_MAX, addresses.length); i++) {
      out.push({ addr: addresses[this.#c.random.int(addresses.length)] as NetAddress, services: SIM_SERVICES, time: nowS })
    }
    return out
  }

  #accept (socket: Socket): void {
    this.stats.connectionsAccepted++
    const self = { network: 'ipv4' as const, host: this.#init.host, port: this.#init.port }
    const conn = new SimConnection({ clock: this.#c.clock, random: this.#c.random, logger: nullLogger }, {
      socket,
      magic: this.#init.magic,
      self,
      behaviour: resolveBehaviour({ profile: 'live' }, 0),
      startHeight: 800_000,
      stats: this.stats,
      gossip: () => this.sample(),
      onEstablished: () => { this.#established.add(socket) }
    })
    socket.once('close', () => { this.#established.delete(socket); conn.close('closed') })
  }

  #push (): void {
    for (const socket of this.#established) {
      if (socket.writableLength > 1 << 20) continue
      socket.write(encodeMessage(this.#init.magic, { command: 'addr', addrs: this.sample() }))
    }
  }
}
