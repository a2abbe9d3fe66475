import { EventEmitter } from 'node:events'
import type { LogFields, Logger } from '../log/logger.ts'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { Startable } from '../util/startable.ts'
import { retryDelayMs } from './backoff.ts'
import { resolveSettings, type ConnManagerInit, type ConnManagerSettings } from './config.ts'
import { ConnReq, ConnState } from './conn-req.ts'
import { DialAbortedError, DialNilError, DuplicateAddressError, MissingAddressError } from './errors.ts'
import { InboundLimiter } from './inbound-limiter.ts'
import { mayStagger, planFailure, refillCount, type FailureCause, type OutboundCounts } from './outbound-plan.ts'
import type { Closable, ConnManagerComponents, ConnManagerEvents, DialFunction } from './types.ts'

interface Flight {
  readonly req: ConnReq
  readonly controller: AbortController
  staggerTimer: TimerHandle | undefined
  /** Still in flight after dialStaggerMs (a slow or silent peer): it no longer holds a slot of the target. */
  overdue: boolean
}

function errorText (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Keeps `targetOutbound` automatic outbound connections (addresses from getNewAddress), keeps permanent
 * requests connected with backoff, and admits inbound connections from its listeners (btcd's ConnManager).
 * Requests are pending (an address pick, a dial or a wait is under way) or established; nothing else is kept.
 */
export class ConnManager<C extends Closable> extends EventEmitter<ConnManagerEvents<C>> implements Startable {
  readonly #clock: Clock
  readonly #random: Random
  readonly #log: Logger
  readonly #dial: DialFunction<C>
  readonly #init: ConnManagerInit<C>
  readonly #settings: ConnManagerSettings
  readonly #inbound: InboundLimiter
  readonly #pending = new Map<number, ConnReq>()
  readonly #conns = new Map<number, { req: ConnReq, conn: C }>()
  readonly #flights = new Map<number, Flight>()
  /** Retry and replacement waits, by request id. */
  readonly #timers = new Map<number, TimerHandle>()
  /** Dials whose promises have not settled; stop() waits for them. */
  readonly #work = new Set<Promise<void>>()
  readonly #halted: Promise<void>
  #markHalted: () => void = () => {}
  #stopping: Promise<void> | undefined
  #nextId = 0
  #failedAttempts = 0
  #started = false
  #stopped = false

  constructor (components: ConnManagerComponents<C>, init: ConnManagerInit<C> = {}) {
    super()
    if (typeof components.dial !== 'function') throw new DialNilError()
    this.#settings = resolveSettings(init)
    this.#clock = components.clock
    this.#random = components.random
    this.#log = components.logger
    this.#dial = components.dial
    this.#init = { ...init }
    this.#inbound = new InboundLimiter(components, { maxInbound: this.#settings.maxInbound, onAccept: init.onAccept })
    this.#halted = new Promise((resolve) => { this.#markHalted = resolve })
  }

  /** Inbound sockets closed on arrival (limit reached, accept backoff, no onAccept). */
  get inboundRejected (): number {
    return this.#inbound.rejected
  }

  /** Admitted inbound sockets still open. */
  get inboundCount (): number {
    return this.#inbound.live
  }

  /** Only the first call has an effect: listeners, requests registered earlier, and the automatic target. */
  start (): void {
    if (this.#started || this.#stopped) return
    this.#started = true
    for (const server of this.#init.listeners ?? []) this.#inbound.listen(server)
    for (const req of this.#pending.values()) {
      if (req.addr !== undefined && !this.#flights.has(req.id) && !this.#timers.has(req.id)) this.#startDial(req)
    }
    this.#fill()
  }

  /**
   * Closes the listeners, cancels every retry wait, aborts in-flight dials, closes established outbound
   * connections (without 'disconnected' events), and resolves once every dial has settled.
   */
  stop (): Promise<void> {
    if (this.#stopping !== undefined) {
      this.#log.info('Connection manager already stopped')
      return this.#stopping
    }
    this.#stopped = true
    this.#stopping = this.#shutdown()
    return this.#stopping
  }

  /** Resolves once stop() has finished: no timer, dial or listener of this manager is left. */
  wait (): Promise<void> {
    return this.#halted
  }

  /**
   * Registers the request and dials it (after start()). Throws MissingAddressError without an address and
   * DuplicateAddressError if another request holds the address. A request that was removed is ignored.
   */
  connect (req: ConnReq): void {
    if (this.#stopped) return
    if (req.id !== 0) {
      this.#log.debug(`Ignoring connect for registered or removed ${String(req)}`)
      return
    }
    if (req.addr === undefined) throw new MissingAddressError('connect: the connection request has no address')
    const holder = this.#holderOf(req.addr, req)
    if (holder !== undefined) {
      this.#log.event('connect_refused', { ...this.#fields(req), reason: 'duplicate_address', holder: holder.id },
        `Refusing connection to ${addrKey(req.addr)}: already in use by ${String(holder)}`, 'warn')
      throw new DuplicateAddressError(`connect: ${addrKey(req.addr)} is already in use by reqid ${holder.id}`)
    }
    this.#register(req)
    if (this.#started) this.#startDial(req)
  }

  /** Starts one automatic request now (no-op without getNewAddress or after stop). */
  newConnReq (): void {
    const getNewAddress = this.#init.getNewAddress
    if (this.#stopped || getNewAddress === undefined) return
    const req = new ConnReq()
    this.#register(req)
    let picked: NetAddress | Promise<NetAddress>
    try {
      picked = getNewAddress()
    } catch (err) {
      this.#failed(req, err, 'no_address')
      return
    }
    if (picked instanceof Promise) {
      // Not tracked by stop(): a pick has no signal, and a late answer is ignored once stopped.
      void picked.then((addr) => { this.#picked(req, addr) }, (err: unknown) => { this.#failed(req, err, 'no_address') })
    } else {
      this.#picked(req, picked)
    }
  }

  /**
   * Closes an established connection: a permanent request (or any, with triggerReconnect) is retried after
   * the backoff delay, an automatic one is replaced at once. A pending request is canceled.
   */
  disconnect (id: number, options: { triggerReconnect?: boolean } = {}): void {
    this.#disconnected(id, true, options.triggerReconnect ?? false)
  }

  /** Closes or cancels the request for good: no retry, no reconnect, whatever was pending. */
  remove (id: number): void {
    this.#disconnected(id, false, false)
  }

  /** Pending and established requests: the addresses in use, including dials in flight. */
  requests (): readonly ConnReq[] {
    return [...this.#pending.values(), ...[...this.#conns.values()].map((entry) => entry.req)]
  }

  async #shutdown (): Promise<void> {
    this.#inbound.close()
    for (const handle of this.#timers.values()) this.#clock.clearTimeout(handle)
    this.#timers.clear()
    for (const flight of [...this.#flights.values()]) this.#abort(flight, 'stopping')
    for (const { req, conn } of this.#conns.values()) {
      req.state = ConnState.Disconnected
      this.#close(conn)
      this.#log.event('outbound_disconnected', { ...this.#fields(req), reason: 'stopping' }, `Disconnected from ${String(req)} (stopping)`)
    }
    this.#conns.clear()
    for (const req of this.#pending.values()) req.state = ConnState.Canceled
    this.#pending.clear()
    while (this.#work.size > 0) await Promise.allSettled([...this.#work])
    this.#log.info('Connection manager stopped')
    this.#markHalted()
  }

  #register (req: ConnReq): void {
    req.assignId(++this.#nextId)
    req.state = ConnState.Pending
    this.#pending.set(req.id, req)
  }

  #isPending (req: ConnReq): boolean {
    return !this.#stopped && this.#pending.get(req.id) === req
  }

  #picked (req: ConnReq, addr: NetAddress): void {
    if (!this.#isPending(req)) return
    const holder = this.#holderOf(addr, req)
    if (holder !== undefined) {
      this.#failed(req, new DuplicateAddressError(`${addrKey(addr)} is already in use by reqid ${holder.id}`), 'duplicate')
      return
    }
    req.addr = addr
    if (this.#started) this.#startDial(req)
  }

  #startDial (req: ConnReq): void {
    const addr = req.addr
    if (addr === undefined) return
    const flight: Flight = { req, controller: new AbortController(), staggerTimer: undefined, overdue: false }
    this.#flights.set(req.id, flight)
    req.state = ConnState.Pending
    if (!req.permanent) {
      flight.staggerTimer = this.#clock.setTimeout(() => { this.#staggerDue(flight) }, this.#settings.dialStaggerMs)
    }
    this.#log.debug(`Attempting to connect to ${String(req)}`, this.#fields(req))
    this.#track((async () => {
      let conn: C
      try {
        conn = await this.#dial(addr, { signal: flight.controller.signal })
      } catch (err) {
        this.#land(flight)
        this.#failed(req, err, 'dial')
        return
      }
      this.#land(flight)
      this.#connected(req, conn)
    })())
  }

  /** The dial of `flight` is over: forget it and its stagger timer. */
  #land (flight: Flight): void {
    if (flight.staggerTimer !== undefined) this.#clock.clearTimeout(flight.staggerTimer)
    flight.staggerTimer = undefined
    if (this.#flights.get(flight.req.id) === flight) this.#flights.delete(flight.req.id)
  }

  #abort (flight: Flight, reason: 'removed' | 'surplus' | 'stopping'): void {
    this.#land(flight)
    flight.controller.abort(new DialAbortedError(reason, String(flight.req)))
  }

  #staggerDue (flight: Flight): void {
    flight.staggerTimer = undefined
    if (this.#stopped || this.#flights.get(flight.req.id) !== flight) return
    flight.overdue = true
    if (!mayStagger(this.#counts(), this.#settings.maxPendingDials)) return
    this.#log.event('dial_staggered', this.#fields(flight.req),
      `${String(flight.req)} still dialing after ${this.#settings.dialStaggerMs} ms; starting another`, 'debug')
    this.#fill()
  }

  #connected (req: ConnReq, conn: C): void {
    if (!this.#isPending(req)) {
      this.#close(conn)
      this.#log.debug(`Ignoring connection for canceled ${String(req)}`)
      return
    }
    this.#pending.delete(req.id)
    req.state = ConnState.Established
    req.retryCount = 0
    this.#failedAttempts = 0
    this.#conns.set(req.id, { req, conn })
    this.#log.event('outbound_connected', this.#fields(req), `Connected to ${String(req)}`)
    if (!req.permanent && this.#counts().autoEstablished >= this.#settings.targetOutbound) {
      for (const other of this.#pending.values()) if (!other.permanent) this.#cancel(other, 'surplus')
    }
    this.#notify(() => this.emit('connected', req, conn))
    this.#notify(() => this.#init.onConnection?.(req, conn))
  }

  #failed (req: ConnReq, err: unknown, cause: FailureCause): void {
    if (!this.#isPending(req)) {
      this.#log.debug(`Ignoring failure of canceled ${String(req)}: ${errorText(err)}`)
      return
    }
    req.state = ConnState.Failing
    const canReplace = this.#init.getNewAddress !== undefined
    if (!req.permanent && canReplace && cause !== 'no_address') this.#failedAttempts++
    if (cause === 'dial') {
      this.#log.event('dial_failed', { ...this.#fields(req), reason: errorText(err) }, `Failed to connect to ${String(req)}: ${errorText(err)}`)
      this.#notify(() => this.emit('dial_failed', req, err))
      if (!this.#isPending(req)) return
    } else {
      this.#log.event('address_unavailable', { id: req.id, reason: cause, error: errorText(err) }, `No usable address for ${String(req)}: ${errorText(err)}`, 'debug')
    }
    const plan = planFailure({ permanent: req.permanent, canReplace, cause, failedAttempts: this.#failedAttempts }, {
      retryDurationMs: this.#settings.backoff.retryDurationMs,
      noAddressRetryMs: this.#settings.noAddressRetryMs
    })
    if (plan.action === 'retry') {
      this.#scheduleRetry(req)
    } else if (plan.action === 'drop') {
      this.#pending.delete(req.id)
    } else if (plan.throttleMs === 0) {
      this.#pending.delete(req.id)
      this.#fill()
    } else {
      // The request stays pending while it waits, so the refill does not replace it early.
      this.#log.event('outbound_throttled', { id: req.id, reason: cause, delayMs: plan.throttleMs, failedAttempts: this.#failedAttempts },
        `Replacing ${String(req)} in ${plan.throttleMs} ms (${this.#failedAttempts} failures in a row)`, 'debug')
      this.#timers.set(req.id, this.#clock.setTimeout(() => {
        this.#timers.delete(req.id)
        if (!this.#isPending(req)) return
        this.#pending.delete(req.id)
        this.#fill()
      }, plan.throttleMs))
    }
  }

  #scheduleRetry (req: ConnReq): void {
    req.retryCount++
    const delayMs = retryDelayMs(req.retryCount, this.#settings.backoff, this.#random)
    this.#timers.set(req.id, this.#clock.setTimeout(() => {
      this.#timers.delete(req.id)
      if (this.#isPending(req)) this.#startDial(req)
    }, delayMs))
    this.#log.event('retry_scheduled', { ...this.#fields(req), retryCount: req.retryCount, delayMs },
      `Retrying connection to ${String(req)} in ${delayMs} ms`)
    this.#notify(() => this.emit('retry_scheduled', req, delayMs))
  }

  #disconnected (id: number, retry: boolean, triggerReconnect: boolean): void {
    if (this.#stopped) return
    const entry = this.#conns.get(id)
    if (entry === undefined) {
      const req = this.#pending.get(id)
      if (req === undefined) {
        this.#log.debug(`Unknown connid=${id}`)
        return
      }
      this.#cancel(req, 'removed')
      this.#fill()
      return
    }
    const { req, conn } = entry
    this.#conns.delete(id)
    this.#close(conn)
    const reconnect = retry && (req.permanent || triggerReconnect)
    if (reconnect) {
      req.state = ConnState.Pending
      this.#pending.set(id, req)
    } else {
      req.state = ConnState.Disconnected
    }
    const reason = !retry ? 'removed' : reconnect ? 'reconnect' : 'replace'
    this.#log.event('outbound_disconnected', { ...this.#fields(req), reason }, `Disconnected from ${String(req)} (${reason})`)
    this.#notify(() => this.emit('disconnected', req))
    this.#notify(() => this.#init.onDisconnection?.(req))
    // A remove() from a callback above sticks: only a request still pending is retried.
    if (reconnect && this.#isPending(req) && !this.#timers.has(id)) this.#scheduleRetry(req)
    this.#fill()
  }

  /** Gives up a pending request: its wait is cleared and its dial aborted; a late success is closed. */
  #cancel (req: ConnReq, reason: 'removed' | 'surplus'): void {
    this.#pending.delete(req.id)
    req.state = ConnState.Canceled
    const handle = this.#timers.get(req.id)
    if (handle !== undefined) this.#clock.clearTimeout(handle)
    this.#timers.delete(req.id)
    const flight = this.#flights.get(req.id)
    if (flight !== undefined) this.#abort(flight, reason)
    this.#log.event('request_canceled', { ...this.#fields(req), reason }, `Canceling ${String(req)} (${reason})`, 'debug')
  }

  /**
   * Starts automatic requests until established + pending reaches the target (recounted each time).
   * Overdue dials do not count, so a slot they hold is refilled beside them, as long as the requests
   * beyond the target stay within maxPendingDials: silent peers cannot hold the slots until they time out.
   */
  #fill (): void {
    if (!this.#started || this.#stopped || this.#init.getNewAddress === undefined) return
    while (refillCount(this.#counts(false)) > 0) {
      const all = this.#counts()
      if (refillCount(all) === 0 && all.autoPending >= this.#settings.maxPendingDials) return
      this.newConnReq()
    }
  }

  /** includeOverdue false: pending requests whose dial is overdue are left out. */
  #counts (includeOverdue = true): OutboundCounts {
    let autoPending = 0
    let autoEstablished = 0
    for (const req of this.#pending.values()) {
      if (!req.permanent && (includeOverdue || this.#flights.get(req.id)?.overdue !== true)) autoPending++
    }
    for (const { req } of this.#conns.values()) if (!req.permanent) autoEstablished++
    return { target: this.#settings.targetOutbound, autoEstablished, autoPending }
  }

  #holderOf (addr: NetAddress, except: ConnReq): ConnReq | undefined {
    const key = addrKey(addr)
    return this.requests().find((req) => req !== except && req.addr !== undefined && addrKey(req.addr) === key)
  }

  #track (work: Promise<void>): void {
    this.#work.add(work)
    void work.then(() => { this.#work.delete(work) })
  }

  #close (conn: C): void {
    try {
      conn.close()
    } catch (err) {
      this.#log.debug(`Closing a connection failed: ${errorText(err)}`)
    }
  }

  /** Runs a caller's callback or listeners; their errors are logged, never allowed to break the manager. */
  #notify (fn: () => unknown): void {
    try {
      fn()
    } catch (err) {
      this.#log.error(`Connection manager callback failed: ${errorText(err)}`)
    }
  }

  #fields (req: ConnReq): LogFields {
    return { addr: req.addr === undefined ? undefined : addrKey(req.addr), id: req.id, permanent: req.permanent }
  }
}
