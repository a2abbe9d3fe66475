import type { Socket } from 'node:net'
import type { Logger } from '../log/logger.ts'
import type { NetAddress, TimedAddress } from '../netaddr/netaddress.ts'
import { unixSeconds, type Clock, type TimerHandle } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import { createTransport, type PeerTransport } from '../peer/transport.ts'
import { ProtocolError } from '../wire/errors.ts'
import { PROTOCOL_VERSION, type KnownMessage, type Message } from '../wire/messages.ts'
import { simServices } from './gossip.ts'
import { misbehaviourPlan, type MisbehaviourPlan } from './misbehaviour.ts'
import type { SimBehaviour } from './profiles.ts'

/** Counters one sim peer keeps over all its connections (the network handle hands out copies). */
export interface SimPeerStats {
  connectionsAccepted: number
  /** Handshakes completed both ways (our verack sent, theirs received). */
  handshakes: number
  messagesReceived: number
  messagesSent: number
  openConnections: number
  /** Received messages by command, unknown commands included. */
  received: Record<string, number>
}

export interface SimConnectionComponents {
  readonly clock: Clock
  readonly random: Random
  readonly logger: Logger
}

export interface SimConnectionInit {
  readonly socket: Socket
  readonly magic: Uint8Array
  readonly self: NetAddress
  readonly behaviour: SimBehaviour
  readonly startHeight: number
  readonly stats: SimPeerStats
  /** The answer to the first `getaddr` of this connection. */
  gossip(): TimedAddress[]
  onEstablished(): void
}

export const SIM_USER_AGENT = '/peerkeeper-sim:0.1.0/'
/** Bitcoin Core drops a connection whose handshake is unfinished after 60 s; sim peers do the same. */
const HANDSHAKE_TIMEOUT_MS = 60_000
/** A flood skips a burst while this much is still unsent, so a node that stops reading costs us little. */
const MAX_UNSENT_BYTES = 1 << 20

/**
 * One accepted connection of a speaking sim peer: an inbound Bitcoin handshake (answer the version with
 * version, wtxidrelay, sendaddrv2 and verack), pong for ping, one addr gossip per connection, then what
 * the profile adds (flapping: a random lifetime; misbehaving: a burst schedule).
 */
export class SimConnection {
  private readonly components: SimConnectionComponents
  private readonly init: SimConnectionInit
  /** v1, or (a v2 peer) BIP324 with v1 detected from the first bytes, as a Core node serves both. */
  private readonly transport: PeerTransport
  private readonly timers = new Set<TimerHandle>()
  private readonly handshakeTimer: TimerHandle
  private gotVersion = false
  private sentVerack = false
  private gotVerack = false
  private established = false
  private wantsAddrV2 = false
  private answeredGetAddr = false
  private closed = false

  constructor (components: SimConnectionComponents, init: SimConnectionInit) {
    this.components = components
    this.init = init
    this.transport = createTransport(init.behaviour.v2 ? 'detect' : 'v1', init.magic)
    this.transport.start()
    const { socket } = init
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => { this.onData(chunk) })
    socket.on('close', () => { this.close('socket closed') })
    socket.on('error', () => { /* resets from the dialing node are routine; 'close' follows */ })
    this.handshakeTimer = this.after(HANDSHAKE_TIMEOUT_MS + init.behaviour.handshakeDelayMs, () => { this.close('handshake timeout') })
  }

  close (reason: string): void {
    if (this.closed) return
    this.closed = true
    for (const t of this.timers) this.components.clock.clearTimeout(t)
    this.timers.clear()
    this.init.socket.destroy()
    this.components.logger.trace(`sim ${this.init.self.host} connection closed: ${reason}`)
  }

  private onData (chunk: Uint8Array): void {
    for (const item of this.transport.push(chunk)) {
      if (this.closed) return
      if (item.kind === 'send') this.init.socket.write(item.bytes)
      else if (item.kind === 'error') this.close(`transport error (${item.error.name})`)
      else if (item.kind !== 'message') continue
      else if (!(item.message instanceof ProtocolError)) this.onMessage(item.message)
      else if (item.message.fatal) this.close(`protocol error (${item.message.kind})`)
    }
  }

  private onMessage (message: Message): void {
    const { stats } = this.init
    stats.messagesReceived++
    stats.received[message.command] = (stats.received[message.command] ?? 0) + 1
    if ('unknown' in message) return
    switch (message.command) {
      case 'version':
        if (this.gotVersion) return
        this.gotVersion = true
        if (this.init.behaviour.handshakeDelayMs > 0) this.after(this.init.behaviour.handshakeDelayMs, () => { this.answerVersion() })
        else this.answerVersion()
        return
      case 'sendaddrv2':
        if (!this.established) this.wantsAddrV2 = true
        return
      case 'verack':
        this.gotVerack = true
        this.maybeEstablished()
        return
      case 'ping':
        if (this.established) this.send({ command: 'pong', nonce: message.nonce })
        return
      case 'getaddr':
        if (!this.established || this.answeredGetAddr) return
        this.answeredGetAddr = true
        this.send({ command: this.wantsAddrV2 ? 'addrv2' : 'addr', addrs: this.init.gossip() })
        return
      default:
        // Everything else a node may send (pong, feefilter, sendcmpct, ...) needs no answer.
    }
  }

  private answerVersion (): void {
    const { socket, self } = this.init
    const nonce = new DataView(this.components.random.bytes(8).buffer).getBigUint64(0, true)
    this.send({
      command: 'version',
      version: PROTOCOL_VERSION,
      services: simServices(this.init.behaviour.v2),
      timestamp: BigInt(unixSeconds(this.components.clock)),
      addrRecv: { services: 0n, host: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 },
      addrFrom: { services: simServices(this.init.behaviour.v2), host: self.host, port: self.port },
      nonce,
      userAgent: SIM_USER_AGENT,
      startHeight: this.init.startHeight,
      relay: true
    })
    // Like current nodes: the feature negotiation goes before verack.
    this.send({ command: 'wtxidrelay' })
    this.send({ command: 'sendaddrv2' })
    this.send({ command: 'verack' })
    this.sentVerack = true
    this.maybeEstablished()
  }

  private maybeEstablished (): void {
    if (this.established || !this.sentVerack || !this.gotVerack) return
    this.established = true
    this.cancel(this.handshakeTimer)
    this.init.stats.handshakes++
    this.init.onEstablished()
    const { lifetimeMs, misbehaviour } = this.init.behaviour
    if (lifetimeMs !== undefined) {
      const [min, max] = lifetimeMs
      this.after(min + this.components.random.int(max - min + 1), () => { this.close('flapping') })
    }
    if (misbehaviour !== undefined) this.misbehave(misbehaviourPlan(misbehaviour, this.init.magic), 0)
  }

  private misbehave (plan: MisbehaviourPlan, done: number): void {
    if (this.closed) return
    if (this.init.socket.writableLength < MAX_UNSENT_BYTES) {
      this.init.socket.write(plan.burst)
      this.init.stats.messagesSent += plan.messagesPerBurst
    }
    if (done + 1 < plan.bursts) this.after(plan.intervalMs, () => { this.misbehave(plan, done + 1) })
  }

  private send (message: KnownMessage): void {
    if (this.closed) return
    this.init.socket.write(this.transport.encode(message))
    this.init.stats.messagesSent++
  }

  private after (ms: number, fn: () => void): TimerHandle {
    const handle = this.components.clock.setTimeout(() => {
      this.timers.delete(handle)
      if (!this.closed) fn()
    }, ms)
    this.timers.add(handle)
    return handle
  }

  private cancel (handle: TimerHandle): void {
    this.components.clock.clearTimeout(handle)
    this.timers.delete(handle)
  }
}
