import { EventEmitter } from 'node:events'
import type { Logger } from '../log/logger.ts'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { Startable } from '../util/startable.ts'
import { retryDelayMs } from './backoff.ts'
import { resolveSettings, type ConnManagerInit, type ConnManagerSettings } from './config.ts'
import { ConnReq, ConnState } from './conn-req.ts'
import { DialNilError, DuplicateAddressError, MissingAddressError } from './errors.ts'
import { requestFields, type CancelReason, type ConnManagerEventMap } from './events.ts'
import { Flights, type Flight } from './flights.ts'
import { closeQuietly, closeText, errorText, runGuarded } from './guarded.ts'
import { Waits } from './waits.ts'
import { atPendingCap, countOutbound, mayDisplace, mayStagger, planClose, planFailure, refillCount, type CloseHow, type FailureCause, type OutboundCounts } from './outbound-plan.ts'
import { Rotation } from './rotation.ts'
import { Returns } from './returns.ts'
import type { Closable, ConnManagerComponents, ConnManagerEvents, DialFunction } from './types.ts'
import { nullEventSink, type EventSink } from '../util/event-bus.ts'
import { WorkSet } from '../util/work-set.ts'

/**
 * Keeps `targetOutbound` automatic outbound connections (addresses from getNewAddress) and keeps permanent
 * requests connected with backoff (btcd's ConnManager, outbound half: inbound admission lives in src/inbound/).
 * Requests are pending (an address pick, a dial or a wait is under way) or established; nothing else is kept.
 * A connection tells the manager it closed through its closeSignal.
 */
export class ConnManager<C extends Closable> extends EventEmitter<ConnManagerEvents<C>> implements Startable {
  readonly #clock: Clock
  readonly #random: Random
  readonly #log: Logger
  readonly #events: EventSink<ConnManagerEventMap>
  readonly #nextId: () => number
  readonly #dial: DialFunction<C>
  readonly #init: ConnManagerInit<C>
  readonly #settings: ConnManagerSettings
  readonly #pending = new Map<number, ConnReq>()
  /** Established requests; sinceMs: when the connection came up (the rotation closes the oldest); returned: a departed peer back in its slot (its stand-in makes way). */
  readonly #conns = new Map<number, { req: ConnReq, conn: C, sinceMs: number, returned: boolean }>()
  readonly #flights: Flights
  readonly #waits: Waits
  readonly #rotation: Rotation | undefined
  readonly #returns: Returns
  /** Dials whose promises have not settled; stop() waits for them. */
  readonly #work = new WorkSet()
  readonly #halted: Promise<void>
  #markHalted: () => void = () => {}
  #stopping: Promise<void> | undefined
  #failedAttempts = 0
  #started = false
  #stopped = false

  constructor (components: ConnManagerComponents<C>, init: ConnManagerInit<C> = {}) {
    super()
    if (typeof components.dial !== 'function') throw new DialNilError()
    this.#settings = resolveSettings(init)
    this.#clock = components.clock
    this.#flights = new Flights(components.clock, this.#settings.dialStaggerMs)
    this.#waits = new Waits(components.clock)
    this.#random = components.random
    this.#log = components.logger
    this.#events = components.events ?? nullEventSink()
    let lastId = 0
    this.#nextId = components.nextId ?? (() => ++lastId)
    this.#dial = components.dial
    this.#init = { ...init }
    this.#halted = new Promise((resolve) => { this.#markHalted = resolve })
    const rotation = this.#settings.rotation
    this.#returns = new Returns(components.clock, this.#settings.returns, init.claimOnFailure)
    this.#rotation = rotation && new Rotation(components, { ...rotation, target: this.#settings.targetOutbound, held: () => this.#conns.values(), close: (id) => { this.#disconnected(id, 'rotated') } })
  }

  /** Only the first call has an effect: requests registered earlier, then the automatic target. */
  start (): void {
    if (this.#started || this.#stopped) return
    this.#started = true
    for (const req of this.#pending.values()) {
      if (req.addr !== undefined && !this.#flights.has(req.id) && !this.#waits.has(req.id)) this.#startDial(req)
    }
    this.#fill()
    this.#rotation?.start()
  }

  /**
   * Cancels every retry wait, aborts in-flight dials, closes established outbound connections (without
   * 'disconnected' events), and resolves once every dial has settled.
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

  /** Resolves once stop() has finished: no timer or dial of this manager is left. */
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
      this.#events.emit('connect_refused', { ...requestFields(this.#init.kind, req), reason: 'duplicate_address', holder: holder.id })
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
    this.#disconnected(id, options.triggerReconnect === true ? 'reconnect' : 'replace')
  }

  /** Closes or cancels the request for good: no retry, no reconnect, whatever was pending. */
  remove (id: number): void {
    this.#disconnected(id, 'removed')
  }

  /**
   * New addresses are available (the owner calls this when its address source grew): automatic requests
   * waiting out a "no usable address" throttle ask again now rather than when their wait ends.
   */
  wake (): void {
    if (this.#stopped) return
    const woken = this.#waits.takeNoAddress()
    for (const id of woken) this.#pending.delete(id)
    if (woken.length > 0) this.#fill()
  }

  /** The current dial stagger in ms: the fixed one given, or what the successful dials so far imply. */
  get dialStaggerMs (): number {
    return this.#flights.staggerMs
  }

  /** Pending and established requests: the addresses in use, including dials in flight. */
  requests (): readonly ConnReq[] {
    return [...this.#pending.values(), ...[...this.#conns.values()].map((entry) => entry.req)]
  }

  async #shutdown (): Promise<void> {
    this.#rotation?.stop()
    this.#waits.clearAll()
    this.#flights.abortAll('stopping')
    for (const { req, conn } of this.#conns.values()) {
      req.state = ConnState.Disconnected
      closeQuietly(conn, this.#log)
      this.#events.emit('outbound_disconnected', { ...requestFields(this.#init.kind, req), reason: 'stopping' })
    }
    this.#conns.clear()
    for (const req of this.#pending.values()) req.state = ConnState.Canceled
    this.#pending.clear()
    await this.#work.settled()
    this.#log.info('Connection manager stopped')
    this.#markHalted()
  }

  #register (req: ConnReq): void {
    req.assignId(this.#nextId())
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
    req.state = ConnState.Pending
    // Only a dial that holds a slot of the target is staggered (a return's stand-in holds its slot).
    const slotted = !req.permanent && req.returnUntilMs === undefined
    const flight = this.#flights.start(req, slotted ? { ms: this.dialStaggerMs, onOverdue: (f) => { this.#staggerDue(f) } } : undefined)
    this.#log.debug(`Attempting to connect to ${String(req)}`, { ...requestFields(this.#init.kind, req) })
    this.#work.add((async () => {
      let conn: C
      try {
        conn = await this.#dial(addr, { signal: flight.controller.signal, onConnected: () => { this.#flights.connected(flight) } })
      } catch (err) {
        this.#flights.land(flight)
        this.#failed(req, err, 'dial')
        return
      }
      this.#flights.land(flight, true)
      this.#connected(req, conn)
    })())
  }

  #staggerDue (flight: Flight): void {
    if (this.#stopped) return
    if (!mayStagger(this.#counts())) return
    this.#events.emit('dial_staggered', requestFields(this.#init.kind, flight.req))
    this.#fill()
  }

  #connected (req: ConnReq, conn: C): void {
    if (!this.#isPending(req)) {
      closeQuietly(conn, this.#log)
      this.#log.debug(`Ignoring connection for canceled ${String(req)}`)
      return
    }
    this.#pending.delete(req.id)
    req.state = ConnState.Established
    req.retryCount = 0
    this.#failedAttempts = 0
    const returned = req.returnUntilMs !== undefined
    this.#conns.set(req.id, { req, conn, sinceMs: this.#clock.now(), returned })
    if (!req.permanent) this.#rotation?.changed(false)
    this.#watchClose(req, conn)
    this.#events.emit('outbound_connected', requestFields(this.#init.kind, req))
    req.returnUntilMs = undefined
    if (!req.permanent && this.#counts().autoEstablished >= this.#settings.targetOutbound) {
      for (const other of this.#pending.values()) if (!other.permanent && other.returnUntilMs === undefined) this.#cancel(other, 'surplus')
    }
    runGuarded(() => this.emit('connected', req, conn), this.#log)
    runGuarded(() => this.#init.onConnection?.(req, conn), this.#log)
    const standIn = returned && this.#conns.has(req.id) ? this.#returns.standIn(this.#conns.values(), this.#counts().autoEstablished, this.#settings.targetOutbound) : undefined
    if (standIn !== undefined) this.#disconnected(standIn.req.id, 'reclaimed')
  }

  #failed (req: ConnReq, err: unknown, cause: FailureCause): void {
    if (!this.#isPending(req)) {
      this.#log.debug(`Ignoring failure of canceled ${String(req)}: ${errorText(err)}`)
      return
    }
    req.state = ConnState.Failing
    const canReplace = this.#init.getNewAddress !== undefined
    // An address owed its slot (the node's anchors) keeps a claim when it does not answer: a stand-in is picked meanwhile.
    if (cause === 'dial') this.#returns.afterFailedDial(req)
    const returning = req.returnUntilMs !== undefined
    // A departed peer that is still down is no sign the book has gone bad.
    if (!req.permanent && !returning && canReplace && cause !== 'no_address') this.#failedAttempts++
    if (cause === 'dial') {
      this.#events.emit('dial_failed', { ...requestFields(this.#init.kind, req), reason: errorText(err) })
      runGuarded(() => this.emit('dial_failed', req, err), this.#log)
      if (!this.#isPending(req)) return
    } else {
      this.#events.emit('address_unavailable', { id: req.id, reason: cause === 'duplicate' ? 'duplicate' : 'no_address', error: errorText(err) })
    }
    const plan = planFailure({ permanent: req.permanent, returning, canReplace, cause, failedAttempts: this.#failedAttempts }, { retryDurationMs: this.#settings.backoff.retryDurationMs, noAddressRetryMs: this.#settings.noAddressRetryMs })
    if (plan.action === 'retry') {
      this.#scheduleRetry(req)
      if (returning) this.#fill()
    } else if (plan.action === 'drop') {
      this.#pending.delete(req.id)
    } else if (plan.throttleMs === 0) {
      this.#pending.delete(req.id)
      this.#fill()
    } else {
      // The request stays pending while it waits, so the refill does not replace it early.
      this.#events.emit('outbound_throttled', { id: req.id, reason: cause, delayMs: plan.throttleMs, failedAttempts: this.#failedAttempts })
      this.#waits.set(req.id, plan.throttleMs, cause === 'no_address' ? 'no_address' : 'retry', () => {
        if (!this.#isPending(req)) return
        this.#pending.delete(req.id)
        this.#fill()
      })
    }
  }

  #scheduleRetry (req: ConnReq): void {
    req.retryCount++
    const delayMs = retryDelayMs(req.retryCount, this.#settings.backoff, this.#random)
    if (this.#returns.expiresBefore(req, delayMs)) {
      this.#cancel(req, 'return_expired')
      return
    }
    this.#waits.set(req.id, delayMs, 'retry', () => { if (this.#isPending(req)) this.#startDial(req) })
    this.#events.emit('retry_scheduled', { ...requestFields(this.#init.kind, req), retryCount: req.retryCount, delayMs })
    runGuarded(() => this.emit('retry_scheduled', req, delayMs), this.#log)
  }

  /**
   * `how`: replace (or reconnect, if permanent), reconnect even if automatic, removed for good, rotated out,
   * or reclaimed by a returning peer; `departed`: the peer left on its own (it may earn a return).
   */
  #disconnected (id: number, how: CloseHow, departed = false): void {
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
    closeQuietly(conn, this.#log, closeText(how))
    if (!req.permanent) this.#rotation?.changed(departed)
    this.#returns.afterClose(req, entry, how, departed)
    const { reconnect, reason } = planClose(how, req.permanent, req.returnUntilMs !== undefined)
    req.state = reconnect ? ConnState.Pending : ConnState.Disconnected
    if (reconnect) this.#pending.set(id, req)
    this.#events.emit('outbound_disconnected', { ...requestFields(this.#init.kind, req), reason })
    runGuarded(() => this.emit('disconnected', req), this.#log)
    runGuarded(() => this.#init.onDisconnection?.(req), this.#log)
    // A remove() from a callback above sticks: only a request still pending is retried.
    if (reconnect && this.#isPending(req) && !this.#waits.has(id)) this.#scheduleRetry(req)
    this.#fill()
  }

  /** Gives up a pending request: its wait is cleared and its dial aborted; a late success is closed. */
  #cancel (req: ConnReq, reason: CancelReason): void {
    this.#pending.delete(req.id)
    req.state = ConnState.Canceled
    this.#waits.clear(req.id)
    this.#flights.abort(req.id, reason)
    this.#events.emit('request_canceled', { ...requestFields(this.#init.kind, req), reason })
  }

  /**
   * Starts automatic requests until established + pending reaches the target (recounted each time).
   * Overdue dials do not count, so a slot they hold is refilled beside them; at maxPendingDials the oldest
   * overdue dial makes way: silent peers neither hold the slots till they time out nor pass the cap.
   */
  #fill (): void {
    if (!this.#started || this.#stopped || this.#init.getNewAddress === undefined) return
    while (refillCount(this.#counts(false)) > 0) {
      if (atPendingCap(this.#counts(), this.#settings.maxPendingDials)) {
        const oldest = this.#flights.oldestOverdue()
        if (oldest === undefined || !mayDisplace(this.#failedAttempts)) return
        this.#failedAttempts++ // it did not answer in time: a failure in a row, as btcd counts them
        this.#cancel(oldest.req, 'displaced')
      }
      this.newConnReq()
    }
  }

  /** includeOverdue false: pending requests whose dial is overdue are left out. */
  #counts (includeOverdue = true): OutboundCounts {
    return countOutbound(this.#settings.targetOutbound, this.#pending.values(), this.#conns.values(), includeOverdue ? undefined : (id) => this.#flights.isOverdue(id))
  }

  #holderOf (addr: NetAddress, except: ConnReq): ConnReq | undefined {
    const key = addrKey(addr)
    return this.requests().find((req) => req !== except && req.addr !== undefined && addrKey(req.addr) === key)
  }

  /** A connection that closes on its own (the peer left, a timeout) is handled like disconnect(). */
  #watchClose (req: ConnReq, conn: C): void {
    const onClose = (): void => {
      if (this.#conns.get(req.id)?.conn === conn) this.#disconnected(req.id, 'replace', conn.departed?.() ?? true)
    }
    if (conn.closeSignal.aborted) queueMicrotask(onClose)
    else conn.closeSignal.addEventListener('abort', onClose, { once: true })
  }
}
