import { createServer, type Server, type Socket } from 'node:net'
import type { NetAddress, TimedAddress } from '../netaddr/netaddress.ts'
import { SimConnection, type SimConnectionComponents, type SimPeerStats } from './sim-connection.ts'
import type { SimBehaviour, SimProfile } from './profiles.ts'
import { SimListenError } from './errors.ts'

export interface SimPeerInfo {
  readonly index: number
  readonly profile: SimProfile
  /** Where to dial it: its own 127.x.y.1 and the network's port. */
  readonly addr: NetAddress
}

export type SimPeerEvent = 'accepted' | 'handshake' | 'closed'

export interface SimPeerInit {
  readonly index: number
  readonly host: string
  /** 0 picks a free port at first start and keeps it for restarts. */
  readonly port: number
  readonly magic: Uint8Array
  readonly behaviour: SimBehaviour
  readonly startHeight: number
  readonly maxConnections: number
  gossip(self: NetAddress): TimedAddress[]
  notify(event: SimPeerEvent): void
}

/**
 * One simulated host: a TCP listener on its own loopback IP (none for a refusing peer) and the
 * connections it accepted. stop() is the host going down (open connections reset, dials refused);
 * start() brings it back on the same address.
 */
export class SimPeer {
  readonly stats: SimPeerStats = { connectionsAccepted: 0, handshakes: 0, messagesReceived: 0, messagesSent: 0, openConnections: 0, received: {} }
  private readonly components: SimConnectionComponents
  private readonly init: SimPeerInit
  private readonly open = new Map<Socket, SimConnection | undefined>()
  private server: Server | undefined
  #port: number

  constructor (components: SimConnectionComponents, init: SimPeerInit) {
    this.components = components
    this.init = init
    this.#port = init.port
  }

  get info (): SimPeerInfo {
    return { index: this.init.index, profile: this.init.behaviour.profile, addr: { network: 'ipv4', host: this.init.host, port: this.#port } }
  }

  /** Speaks BIP324 v2 besides v1. */
  get v2 (): boolean {
    return this.init.behaviour.v2
  }

  /** The port it listens on (after a start with port 0, the one the system picked). */
  get port (): number {
    return this.#port
  }

  /** Sets the port for the next start; the network uses it to share one free port among all peers. */
  set port (port: number) {
    if (this.server !== undefined) throw new SimListenError(`sim peer ${this.init.index}: cannot change the port while listening`)
    this.#port = port
  }

  get listening (): boolean {
    return this.server !== undefined
  }

  async start (): Promise<void> {
    if (!this.init.behaviour.listens || this.server !== undefined) return
    const server = createServer({ noDelay: true }, (socket) => { this.accept(socket) })
    server.maxConnections = this.init.maxConnections
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(new SimListenError(`sim peer ${this.init.index} cannot listen on ${this.init.host}:${this.port} (${err.code ?? err.message})`, err.code))
      })
      server.listen({ host: this.init.host, port: this.port }, resolve)
    })
    server.removeAllListeners('error')
    server.on('error', (err) => { this.components.logger.warn(`sim ${this.init.host}: listener error: ${err.message}`) })
    const address = server.address()
    if (address !== null && typeof address === 'object') this.#port = address.port
    this.server = server
  }

  async stop (): Promise<void> {
    const server = this.server
    this.server = undefined
    const closed = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    for (const [socket, connection] of this.open) {
      if (connection !== undefined) connection.close('peer stopped')
      else socket.destroy()
    }
    await closed
  }

  private accept (socket: Socket): void {
    const { stats } = this
    stats.connectionsAccepted++
    stats.openConnections++
    socket.once('close', () => {
      this.open.delete(socket)
      stats.openConnections--
      this.init.notify('closed')
    })
    this.init.notify('accepted')
    if (!this.init.behaviour.speaks) {
      socket.on('error', () => { /* a silent peer ignores everything, resets included */ })
      this.open.set(socket, undefined)
      return
    }
    const self = this.info.addr
    this.open.set(socket, new SimConnection(this.components, {
      socket,
      magic: this.init.magic,
      self,
      behaviour: this.init.behaviour,
      startHeight: this.init.startHeight,
      stats,
      gossip: () => this.init.gossip(self),
      onEstablished: () => { this.init.notify('handshake') }
    }))
  }
}
