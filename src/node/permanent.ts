import type { Resolver } from '../discovery/resolver.ts'
import { addrKey, toNetAddress, type HostPort, type NetAddress } from '../netaddr/netaddress.ts'
import { anySignal, clockTimeoutSignal, type Clock, type TimerHandle } from '../util/clock.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { Startable } from '../util/startable.ts'
import { resolveHostPort } from './addr-fetch.ts'
import type { NodeEventMap } from './events.ts'

/** A permanent peer's name that does not resolve is asked again this often (DNS may come back). */
export const RESOLVE_RETRY_MS = 60_000
/** One lookup's budget: a clear DNS query retransmits within it, a Tor RESOLVE usually answers in it. */
export const RESOLVE_TIMEOUT_MS = 30_000

export interface PermanentPeersComponents {
  clock: Clock
  events: EventSink<NodeEventMap>
  resolver: Resolver
  /** Hands a permanent peer's address to the connection manager (which may refuse a duplicate). */
  connect(addr: NetAddress): void
  /** Ends the connection manager's request for a removed peer's address (no retry). */
  release(addr: NetAddress): void
}

/** One permanent peer as given, and its address once resolved. */
export interface PermanentPeer {
  readonly given: HostPort
  readonly addr: NetAddress | undefined
}

/**
 * The --addpeer/--connect peers as addresses: literals at once, names through the resolver (Tor with
 * a proxy), retried until they resolve. Each address is handed to `connect` once; the connection
 * manager then keeps it connected with backoff.
 */
export class PermanentPeers implements Startable {
  readonly #c: PermanentPeersComponents
  /** By addrKey of the address as given. */
  readonly #peers = new Map<string, { given: HostPort, addr: NetAddress | undefined }>()
  readonly #keys = new Set<string>()
  #running = false
  readonly #timers = new Set<TimerHandle>()
  #controller = new AbortController()

  constructor (components: PermanentPeersComponents, init: { peers: readonly HostPort[] }) {
    this.#c = components
    for (const hp of init.peers) this.#peers.set(addrKey(hp), { given: hp, addr: undefined })
  }

  /** Whether `addr` is one of the permanent peers' (resolved) addresses. */
  has (addr: NetAddress): boolean {
    return this.#keys.has(addrKey(addr))
  }

  /** Every permanent peer (--addpeer/--connect, then addnode), in the order added. */
  list (): PermanentPeer[] {
    return [...this.#peers.values()].map((p) => ({ given: p.given, addr: p.addr }))
  }

  /** Adds a permanent peer (kept connected from now on); false if it is one already. */
  add (hp: HostPort): boolean {
    if (this.#peers.has(addrKey(hp))) return false
    this.#peers.set(addrKey(hp), { given: hp, addr: undefined })
    if (this.#running) this.#begin(hp)
    return true
  }

  /** Removes a permanent peer and ends its connection for good; false if it is not one. */
  remove (hp: HostPort): boolean {
    const peer = this.#peers.get(addrKey(hp))
    if (peer === undefined) return false
    this.#peers.delete(addrKey(hp))
    if (peer.addr !== undefined) {
      this.#keys.delete(addrKey(peer.addr))
      this.#c.release(peer.addr)
    }
    return true
  }

  /** Hands literal addresses to `connect` synchronously, names as they resolve. */
  start (): void {
    this.#controller = new AbortController()
    this.#running = true
    for (const { given } of this.#peers.values()) this.#begin(given)
  }

  #begin (hp: HostPort): void {
    const literal = toNetAddress(hp.host, hp.port)
    if (literal === undefined) void this.#resolve(hp)
    else this.#connect(hp, literal)
  }

  stop (): void {
    this.#running = false
    this.#controller.abort()
    for (const handle of this.#timers) this.#c.clock.clearTimeout(handle)
    this.#timers.clear()
  }

  async #resolve (hp: HostPort): Promise<void> {
    const signal = this.#controller.signal
    let addr: NetAddress
    const timeout = clockTimeoutSignal(this.#c.clock, RESOLVE_TIMEOUT_MS, () => new Error(`no answer within ${RESOLVE_TIMEOUT_MS} ms`))
    const both = anySignal([signal, timeout.signal])
    try {
      addr = await resolveHostPort(this.#c.resolver, hp, both.signal)
    } catch (err) {
      if (signal.aborted) return
      this.#c.events.emit('permanent_unresolved', { addr: addrKey(hp), permanent: true, reason: (err as Error).message, retryMs: RESOLVE_RETRY_MS })
      const handle = this.#c.clock.setTimeout(() => {
        this.#timers.delete(handle)
        if (this.#peers.has(addrKey(hp))) void this.#resolve(hp)
      }, RESOLVE_RETRY_MS)
      this.#timers.add(handle)
      return
    } finally {
      timeout.clear()
      both.clear()
    }
    if (!signal.aborted) this.#connect(hp, addr)
  }

  #connect (hp: HostPort, addr: NetAddress): void {
    const peer = this.#peers.get(addrKey(hp))
    if (peer === undefined) return // removed while its name was being resolved
    peer.addr = addr
    this.#keys.add(addrKey(addr))
    try {
      this.#c.connect(addr)
    } catch (err) {
      // Two names for one address, or an address given twice: the manager refuses the duplicate.
      this.#c.events.emit('permanent_refused', { addr: addrKey(hp), permanent: true, reason: (err as Error).message })
    }
  }
}
