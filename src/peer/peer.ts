import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { DynamicBanScore } from '../banscore/dynamic-ban-score.ts'
import type { Logger } from '../log/logger.ts'
import { addrKey, type NetAddress, type TimedAddress } from '../netaddr/netaddress.ts'
import { unixSeconds, type Clock, type TimerHandle } from '../util/clock.ts'
import { nullEventSink, type EventSink } from '../util/event-bus.ts'
import { ProtocolError } from '../wire/errors.ts'
import { MAX_ADDR_ENTRIES, type AddrMessage, type KnownMessage, type Message, type VersionMessage } from '../wire/messages.ts'
import { NODE_NETWORK, NODE_NETWORK_LIMITED } from '../wire/services.ts'
import * as D from './constants.ts'
import { HandshakeTimeoutError, PeerClosedError, PeerRefusedError, type RefusalReason } from './errors.ts'
import { AddrExchange } from './addr-exchange.ts'
import { FloodGuard } from './flood-guard.ts'
import { SessionGuard } from './session-guard.ts'
import type { RateOverrun } from '../ratelimit/peer-limits.ts'
import { KeepAlive } from './keep-alive.ts'
import { peerSettings, type PeerSettings } from './settings.ts'
import { buildVersion, handshakeInfo, refuseVersion, type Direction } from './handshake-policy.ts'
import type { PeerEventMap, SessionFields } from './events.ts'
import { misbehaviourRule, protocolErrorReason, type MisbehaviourReason } from './misbehaviour.ts'
import { OTHER_COMMAND, SessionTraffic } from './traffic.ts'
import { createTransport, type PeerTransport, type TransportItem, type TransportProtocol } from './transport.ts'
import type { HandshakeInfo, PeerComponents, PeerEvents, PeerInit, PeerState } from './types.ts'

/** BIP 339 and BIP 155 messages go only to peers announcing at least this version (as Core). */
const FEATURE_NEGOTIATION_VERSION = 70016

/**
 * One Bitcoin P2P session over a connected socket: handshake, pings, address exchange, misbehaviour scoring.
 * Decisions live in pure modules; this is the IO shell and state machine (PeerState), timed by the clock.
 */
export class Peer extends EventEmitter<PeerEvents> {
  /** Given by whoever opens the session (the node's connection registry). */
  readonly id: number
  readonly direction: Direction
  readonly addr: NetAddress
  readonly banScore: DynamicBanScore
  /** Bytes and messages by direction and command, and when they last moved (getpeerinfo). */
  readonly traffic: SessionTraffic
  readonly #socket: Socket
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #events: EventSink<PeerEventMap>
  readonly #init: PeerInit
  readonly #settings: PeerSettings
  readonly #transport: PeerTransport
  readonly #flood: FloodGuard
  readonly #addrs: AddrExchange
  readonly #guard: SessionGuard
  #state: PeerState = 'connecting'
  #info: HandshakeInfo | undefined
  #theirVersion: VersionMessage | undefined
  #verackReceived = false
  #peerWtxidRelay = false
  #ourNonce: bigint | undefined
  readonly #keepAlive: KeepAlive
  #handshakeTimer: TimerHandle | undefined
  #handshake: { promise: Promise<HandshakeInfo>, resolve: (i: HandshakeInfo) => void, reject: (e: Error) => void } | undefined
  #closeError: Error | undefined
  #departure: 'remote' | 'timeout' | undefined

  constructor (socket: Socket, components: PeerComponents, init: PeerInit) {
    super()
    this.#socket = socket
    this.#clock = components.clock
    this.#logger = components.logger
    this.#events = components.events ?? nullEventSink()
    this.id = init.id
    this.#init = init
    this.direction = init.direction
    this.addr = init.addr
    this.#settings = peerSettings(init)
    this.banScore = new DynamicBanScore(this.#clock)
    this.traffic = new SessionTraffic(init.traffic)
    this.#transport = createTransport(init.transport ?? 'v1', init.params.magic, () => {
      if (this.#state !== 'closed') this.#decode(new Uint8Array(0), this.#clock.now())
    })
    const now = this.#clock.now()
    this.#flood = new FloodGuard(now)
    this.#addrs = new AddrExchange(now, { unlimited: init.permissions?.addr === true })
    this.#guard = new SessionGuard({ clock: this.#clock, queuedBytes: () => socket.writableLength, onTarpit: (reason) => { this.close(reason) } },
      { rateLimits: this.#settings.rateLimits, deadlines: this.#settings.deadlines })
    this.#keepAlive = new KeepAlive({
      clock: this.#clock,
      random: components.random,
      sendPing: (nonce) => { this.#send({ command: 'ping', nonce }) },
      onTimeout: (reason) => {
        this.#departure = 'timeout'
        this.close(reason)
      }
    }, this.#settings.timeouts)
    // As Core (TCP_NODELAY): small messages that answer each other; Nagle would hold a v2 version behind an unacked packet.
    socket.setNoDelay(true)
    const byPeer = (reason: string): void => {
      if (this.#state !== 'closed') this.#departure = 'remote'
      this.close(reason)
    }
    socket.on('error', (err) => { byPeer(`socket error: ${err.message}`) })
    socket.on('close', () => { byPeer('connection closed') })
    socket.on('end', () => { byPeer('peer ended the connection') })
  }

  get state (): PeerState { return this.#state }
  /** Round trip of the last answered ping, in ms (undefined before the first pong). */
  get latencyMs (): number | undefined { return this.#keepAlive.latencyMs }
  get minLatencyMs (): number | undefined { return this.#keepAlive.minLatencyMs }
  get info (): HandshakeInfo | undefined { return this.#info }
  get permanent (): boolean { return this.#init.permanent === true }
  /** A --whitelist entry grants it noban or addr (shown on the status page). */
  get whitelisted (): boolean { return this.#init.permissions?.noban === true || this.#init.permissions?.addr === true }
  /** 'v1' or 'v2'; undefined while an inbound connection's first bytes are awaited. */
  get transport (): TransportProtocol | undefined { return this.#transport.protocol }
  /** The peer closed a v2 attempt before sending a byte: how a v1-only node answers our key (BIP324, Core's ShouldReconnectV1). */
  get shouldReconnectV1 (): boolean { return this.#departure === 'remote' && this.#transport.receivedNothing }
  /** The peer ended the session (closed, reset, ping or idle timeout), not we (a ban, misbehaviour, the operator, a rotation). */
  get departed (): boolean { return this.#departure !== undefined }

  /**
   * Starts the session: sends our version (outbound at once, inbound after theirs) and resolves when
   * version and verack went both ways. Rejects with PeerRefusedError, HandshakeTimeoutError or
   * PeerClosedError; the session is closed by then. Calling it again returns the same promise.
   */
  async handshake (): Promise<HandshakeInfo> {
    if (this.#handshake !== undefined) return await this.#handshake.promise
    let resolve!: (i: HandshakeInfo) => void
    let reject!: (e: Error) => void
    const promise = new Promise<HandshakeInfo>((res, rej) => { resolve = res; reject = rej })
    this.#handshake = { promise, resolve, reject }
    if (this.#state === 'closed') {
      reject(this.#closeError ?? new PeerClosedError(`${addrKey(this.addr)}: closed before the handshake started`))
      return await promise
    }
    this.#state = 'awaiting-version'
    this.#handshakeTimer = this.#clock.setTimeout(() => {
      const reason = `handshake not finished within ${this.#settings.timeouts.handshakeMs} ms`
      this.#fail(new HandshakeTimeoutError(`${addrKey(this.addr)}: ${reason}`), reason)
    }, this.#settings.timeouts.handshakeMs)
    this.#keepAlive.watchIdle()
    this.#guard.start()
    this.#socket.on('data', (chunk: Buffer) => { this.#onData(chunk) })
    const opening = this.#transport.start()
    if (opening.length > 0) this.#socket.write(opening)
    // Outbound v2 sends its version once the transport is up (the 'ready' item).
    if (this.direction === 'outbound' && this.#transport.ready) this.#sendVersion()
    return await promise
  }

  /** Ends the session (idempotent): stops timers, destroys the socket, emits 'close' once. */
  close (reason: string): void {
    if (this.#state === 'closed') return
    this.#state = 'closed'
    if (this.#handshakeTimer !== undefined) this.#clock.clearTimeout(this.#handshakeTimer)
    this.#handshakeTimer = undefined
    this.#keepAlive.stop()
    this.#guard.stop()
    if (this.#ourNonce !== undefined) this.#init.nonces.release(this.#ourNonce)
    this.#socket.destroy()
    // After a finished handshake nobody awaits this error, and building it (with its stack) costs more than the close.
    if (this.#info === undefined) {
      this.#closeError ??= new PeerClosedError(`${addrKey(this.addr)}: closed before the handshake finished: ${reason}`)
      this.#handshake?.reject(this.#closeError)
    }
    this.#events.emit('peer_disconnected', { ...this.#fields(), reason })
    this.emit('close', reason)
  }

  /** Closes with `reason`; a pending handshake() rejects with `error`. */
  #fail (error: Error, reason: string): void {
    this.#closeError = error
    this.close(reason)
  }

  #refuse (reason: RefusalReason, message: string): void {
    this.#events.emit('peer_refused', { ...this.#fields(), reason, detail: message })
    this.#fail(new PeerRefusedError(reason, `${addrKey(this.addr)}: refused: ${message}`), `refused: ${message}`)
  }

  #onData (chunk: Buffer): void {
    const now = this.#clock.now()
    this.#keepAlive.received(now)
    this.traffic.read(chunk.length, now)
    const overrun = this.#guard.received(chunk.length, now)
    if (overrun !== undefined) { this.#rateLimited(overrun); return }
    this.#decode(chunk, now)
  }

  #decode (chunk: Uint8Array, now: number): void {
    try {
      const items = this.#transport.push(chunk)
      this.#guard.decoded(items.length, this.#transport.bufferedBytes, now)
      for (const item of items) {
        if (this.#state === 'closed') return
        this.#onTransportItem(item)
      }
    } catch (err) {
      // A collaborator (address sink, sample source) threw: end this session, not the process.
      this.#logger.error(`${addrKey(this.addr)}: session error: ${(err as Error).message}`, { id: this.id })
      this.close(`internal error: ${(err as Error).message}`)
    }
  }

  #onTransportItem (item: TransportItem): void {
    switch (item.kind) {
      case 'send': this.#socket.write(item.bytes); break
      case 'ready': if (this.direction === 'outbound' && this.#ourNonce === undefined) this.#sendVersion(); break
      case 'message':
        this.traffic.frame(item.message instanceof ProtocolError ? OTHER_COMMAND : item.message.command, item.frameBytes)
        if (item.message instanceof ProtocolError) this.#onProtocolError(item.message); else this.#onMessage(item.message)
        break
      // Core disconnects on a broken v2 stream without a misbehaviour score; the reason names the error.
      case 'error': this.close(`transport error: ${item.error.name}: ${item.error.message}`); break
    }
  }

  #onProtocolError (err: ProtocolError): void {
    if (err.kind === 'bad-magic') { this.#refuse('bad-magic', err.message); return }
    this.#misbehave(protocolErrorReason(err))
    if (err.fatal) this.close(`stream unusable: ${err.message}`)
  }

  #onMessage (msg: Message): void {
    const overrun = this.#guard.message(this.#clock.now())
    if (overrun !== undefined) { this.#rateLimited(overrun); return }
    for (const reason of this.#flood.check(msg.command, this.#clock.now())) {
      this.#misbehave(reason)
      if (this.#state === 'closed') return
    }
    this.#logger.trace(`${addrKey(this.addr)}: received ${msg.command}`, { id: this.id })
    const known: KnownMessage | undefined = 'unknown' in msg ? undefined : msg
    if (known?.command === 'version') { this.#onVersion(known); return }
    if (known?.command === 'verack') { this.#onVerack(); return }
    if (this.#theirVersion === undefined) { this.#misbehave('message-before-handshake'); return }
    if (known === undefined) return // commands we do not model (inv, headers, …) are ignored without penalty
    if (known.command === 'sendaddrv2' || known.command === 'wtxidrelay') {
      if (this.#state === 'established') this.#misbehave('late-negotiation')
      else if (known.command === 'sendaddrv2') this.#addrs.addrV2 = true
      else this.#peerWtxidRelay = true
      return
    }
    if (this.#state !== 'established') { this.#misbehave('message-before-handshake'); return }
    switch (known.command) {
      case 'ping': this.#send({ command: 'pong', nonce: known.nonce }); break
      case 'pong': this.#onPong(known.nonce); break
      case 'getaddr': this.#onGetAddr(); break
      case 'addr': case 'addrv2': this.#onAddr(known); break
      default: break // sendheaders, sendcmpct, feefilter: nothing to do for a peer maintainer
    }
  }

  #onVersion (version: VersionMessage): void {
    if (this.#theirVersion !== undefined) { this.#misbehave('duplicate-version'); return }
    const refusal = refuseVersion(version, {
      direction: this.direction,
      manual: this.permanent,
      requiredServices: this.#init.requiredServices ?? [NODE_NETWORK, NODE_NETWORK_LIMITED],
      isOwnNonce: (nonce) => this.#init.nonces.has(nonce)
    })
    if (refusal !== undefined) { this.#refuse(refusal.reason, refusal.message); return }
    const denied = this.#init.interceptVersion?.(version)
    if (denied !== undefined) { this.#refuse('denied', `denied after its version: ${denied}`); return }
    this.#theirVersion = version
    // Up to four messages go out together: one write (and one segment) instead of four.
    this.#socket.cork()
    if (this.direction === 'inbound') this.#sendVersion()
    if (version.version >= FEATURE_NEGOTIATION_VERSION) {
      this.#send({ command: 'wtxidrelay' })
      this.#send({ command: 'sendaddrv2' })
    }
    this.#send({ command: 'verack' })
    this.#socket.uncork()
    if (this.#verackReceived) this.#establish()
    else if (this.#state !== 'closed') this.#state = 'awaiting-verack'
  }

  #onVerack (): void {
    if (this.#verackReceived) return // a redundant verack is harmless (Core ignores it too)
    this.#verackReceived = true
    if (this.#theirVersion !== undefined) this.#establish()
  }

  #sendVersion (): void {
    this.#ourNonce = this.#init.nonces.issue()
    this.#send(buildVersion({
      protocolVersion: this.#init.params.protocolVersion,
      services: this.#init.services ?? 0n,
      nonce: this.#ourNonce,
      userAgent: this.#init.userAgent ?? D.DEFAULT_USER_AGENT,
      startHeight: this.#init.startHeight ?? 0,
      relay: false,
      nowSeconds: unixSeconds(this.#clock)
    }, this.addr))
  }

  #establish (): void {
    if (this.#state === 'closed' || this.#theirVersion === undefined) return
    const v = this.#theirVersion
    this.#state = 'established'
    if (this.#handshakeTimer !== undefined) this.#clock.clearTimeout(this.#handshakeTimer)
    this.#handshakeTimer = undefined
    const info = handshakeInfo(v, {
      id: this.id, addr: this.addr, direction: this.direction, addrV2: this.#addrs.addrV2, wtxidRelay: this.#peerWtxidRelay,
      nowSeconds: unixSeconds(this.#clock), transport: this.#transport.protocol ?? 'v1', sessionId: this.#transport.sessionId
    })
    this.#info = info
    this.#events.emit('peer_handshake', {
      ...this.#fields(), version: v.version, services: `0x${v.services.toString(16)}`, userAgent: v.userAgent, startHeight: v.startHeight, transport: info.transport
    })
    this.#handshake?.resolve(info)
    this.emit('handshake', info)
    if (this.#state !== 'established') return
    this.#keepAlive.startPings()
    if (this.direction === 'outbound' && this.#init.wantAddresses?.() === true) {
      this.#addrs.askedForAddresses()
      this.#send({ command: 'getaddr' })
    }
  }

  #onPong (nonce: bigint): void {
    const latency = this.#keepAlive.pong(nonce, this.#clock.now())
    if (latency === undefined) return // stale or unsolicited: ignore
    this.emit('pong', latency)
  }

  #onGetAddr (): void {
    const reply = this.#addrs.answerGetAddr(this.direction, () => this.#init.getAddrSample?.() ?? [])
    if (reply !== undefined) this.#send(reply)
  }

  /** Sends addresses (our own, for self-advertisement) in the form the peer takes: addrv2, or addr with IPv4/IPv6 only. */
  sendAddresses (addrs: readonly TimedAddress[]): void {
    const message = this.#addrs.addrMessage(addrs)
    if (message !== undefined) this.#send(message)
  }

  #onAddr (msg: AddrMessage): void {
    if (msg.addrs.length > MAX_ADDR_ENTRIES) { this.#misbehave('addr-too-many'); return }
    const accepted = this.#addrs.accept(msg.addrs, this.#clock.now())
    if (accepted.length < msg.addrs.length) {
      this.#logger.debug(`${addrKey(this.addr)}: dropped ${msg.addrs.length - accepted.length} of ${msg.addrs.length} gossiped addresses (rate limit)`, { id: this.id })
    }
    if (accepted.length === 0) return
    this.#init.addrSink?.addAddresses(accepted, this.addr)
    this.emit('addr', accepted)
  }

  /** Over a per-connection rate limit: the message or read is dropped, and the row scores and disconnects. */
  #rateLimited (o: RateOverrun): void {
    const reason = o.kind === 'messages' ? 'message-rate' : 'byte-rate'
    this.#events.emit('peer_rate_limited', { ...this.#fields(), reason, ratePerSecond: o.ratePerSecond, burst: o.burst })
    this.#misbehave(reason)
  }

  #misbehave (reason: MisbehaviourReason): void {
    const rule = misbehaviourRule(reason)
    const where = addrKey(this.addr)
    if (this.#init.banning === false) {
      this.#logger.debug(`${where}: ${rule.description} (banning disabled)`, { id: this.id, reason })
      if (rule.disconnect) this.close(`misbehaving: ${reason}`)
      return
    }
    const score = this.banScore.increase(rule.persistent, rule.transient)
    const reached = score >= this.#settings.banThreshold
    const exempt = this.#init.permissions?.noban === true ? 'whitelisted' as const : this.permanent ? 'permanent' as const : undefined
    const action = reached ? (exempt === undefined ? 'ban' : 'disconnect') : rule.disconnect ? 'disconnect' : 'none'
    this.#events.emit('peer_misbehaving', { ...this.#fields(), reason, persistent: rule.persistent, transient: rule.transient, score, action })
    this.emit('misbehaving', { reason, persistent: rule.persistent, transient: rule.transient, score, action, ...(reached && exempt !== undefined ? { notBannedBecause: exempt } : {}) })
    if (action === 'ban') {
      this.#events.emit('peer_banned', { ...this.#fields(), reason, score })
      this.emit('ban', { reason, score })
      this.close(`banned: ${reason} (score ${score})`)
    } else if (reached && exempt !== undefined) {
      this.#events.emit('peer_not_banned', { ...this.#fields(), reason, score, exempt })
      this.close(`misbehaving: ${reason} (score ${score}); not banned: ${exempt}`)
    } else if (action === 'disconnect') {
      this.close(`misbehaving: ${reason}`)
    }
  }

  #fields (): SessionFields { return { id: this.id, addr: addrKey(this.addr), direction: this.direction, permanent: this.permanent } }

  #send (msg: KnownMessage): void {
    if (this.#state === 'closed') return
    const frame = this.#transport.encode(msg)
    this.#socket.write(frame)
    this.traffic.wrote(msg.command, frame.length, this.#clock.now())
    if (this.#socket.writableLength > this.#settings.maxSendBufferBytes) {
      this.close(`send buffer over ${this.#settings.maxSendBufferBytes} bytes (peer is not reading)`)
    }
  }
}
