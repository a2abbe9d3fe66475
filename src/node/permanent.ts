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
}

/**
 * The --addpeer/--connect peers as addresses: literals at once, names through the resolver (Tor with
 * a proxy), retried until they resolve. Each address is handed to `connect` once; the connection
 * manager then keeps it connected with backoff.
 */
export class PermanentPeers implements Startable {
  readonly #c: PermanentPeersComponents
  readonly #peers: readonly HostPort[]
  readonly #keys = new Set<string>()
  readonly #timers = new Set<TimerHandle>()
  #controller = new AbortController()

  constructor (components: PermanentPeersComponents, init: { peers: readonly HostPort[] }) {
    this.#c = components
    this.#peers = init.peers
  }

  /** Whether `addr` is one of the permanent peers' (resolved) addresses. */
  has (addr: NetAddress): boolean {
    return this.#keys.has(addrKey(addr))
  }

  /** Hands literal addresses to `connect` synchronously, names as they resolve. */
  start (): void {
    this.#controller = new AbortController()
    for (const hp of this.#peers) {
      const literal = toNetAddress(hp.host, hp.port)
      if (literal === undefined) void this.#resolve(hp)
      else this.#connect(hp, literal)
    }
  }

  stop (): void {
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
        void this.#resolve(hp)
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
    this.#keys.add(addrKey(addr))
    try {
      this.#c.connect(addr)
    } catch (err) {
      // Two names for one address, or an address given twice: the manager refuses the duplicate.
      this.#c.events.emit('permanent_refused', { addr: addrKey(hp), permanent: true, reason: (err as Error).message })
    }
  }
}
