import { errorText } from '../connmgr/guarded.ts'
import { countsFailures, selectOutbound } from '../addrbook/select-outbound.ts'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import type { TimerHandle } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { Startable } from '../util/startable.ts'
import type { OutboundComponents } from './outbound.ts'
import { pickDefined } from '../util/defined.ts'

/** Core's FEELER_INTERVAL: one test connection every 2 minutes on average. */
export const FEELER_INTERVAL_MS = 2 * 60_000

/**
 * The wait before the next feeler: exponential with mean `meanMs` (a Poisson process, as Core's
 * GetExponentialRand), so an observer cannot predict when the node reaches out.
 */
export function nextFeelerDelayMs (meanMs: number, random: Random): number {
  return -Math.log(1 - random.float()) * meanMs
}

export type FeelerTarget = 'collision' | 'new'

/** The outbound side's collaborators (without its request list), and chance for the timer. */
export type FeelersComponents = Omit<OutboundComponents, 'requests'> & { random: Random }

export interface FeelersInit {
  /** Mean wait between feelers. @default FEELER_INTERVAL_MS */
  intervalMs?: number
  defaultPort: number
  targetOutbound: number
  /** Whether the automatic outbound slots are all up: feelers only run then (Core's lowest priority). */
  targetMet(): boolean
  /** addrKey of every address connected or being dialed. */
  inUseKeys(): ReadonlySet<string>
  /** Whether a feeler may go to this address (--onlynet, never our own). @default any */
  mayDial?(addr: NetAddress): boolean
  /** @default RECENT_TRY_MS (select-outbound.ts) */
  recentTryMs?: number
}

/**
 * Core's feeler connections (PR #8282): on a Poisson timer, while the outbound target is met, one
 * short connection to an address that has not proved itself, only to test it. The target is the
 * occupant of a pending tried collision (test-before-evict), else an address from the new table. A
 * handshake marks it good (tried) and closes the connection; a feeler never counts as outbound (its
 * registry kind is `feeler`) and never exchanges addresses (Sessions gives it no address source or sink).
 */
export class Feelers implements Startable {
  readonly #c: FeelersComponents
  readonly #init: FeelersInit
  readonly #intervalMs: number
  #timer: TimerHandle | undefined
  #active: AbortController | undefined
  #running = false

  constructor (components: FeelersComponents, init: FeelersInit) {
    this.#c = components
    this.#init = init
    this.#intervalMs = init.intervalMs ?? FEELER_INTERVAL_MS
  }

  start (): void {
    if (this.#running) return
    this.#running = true
    this.#schedule()
  }

  stop (): void {
    this.#running = false
    if (this.#timer !== undefined) this.#c.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#active?.abort()
  }

  #schedule (): void {
    if (!this.#running) return
    this.#timer = this.#c.clock.setTimeout(() => {
      this.#timer = undefined
      this.#tick()
      this.#schedule()
    }, nextFeelerDelayMs(this.#intervalMs, this.#c.random))
  }

  /** One timer expiry: at most one feeler at a time (Core's MAX_FEELER_CONNECTIONS), only with the target met. */
  #tick (): void {
    if (this.#active !== undefined || !this.#init.targetMet()) return
    const picked = this.#pick()
    if (picked === undefined) return
    const decision = this.#c.gater.interceptAddrDial(picked.addr, 'feeler')
    if (!decision.allow) return
    const controller = new AbortController()
    this.#active = controller
    this.#c.events.emit('feeler_started', { addr: addrKey(picked.addr), target: picked.target })
    void this.#feel(picked.addr, controller.signal).then(
      () => { this.#c.events.emit('feeler_finished', { addr: addrKey(picked.addr), target: picked.target, ok: true, reason: 'handshake: marked good' }) },
      (err: unknown) => { this.#c.events.emit('feeler_finished', { addr: addrKey(picked.addr), target: picked.target, ok: false, reason: errorText(err) }) }
    ).finally(() => { this.#active = undefined })
  }

  #pick (): { addr: NetAddress, target: FeelerTarget } | undefined {
    const { book, registry, banList, clock } = this.#c
    book.resolveCollisions()
    const inUse = this.#init.inUseKeys()
    const countFailure = countsFailures(registry.outboundGroupCount(), this.#init.targetOutbound)
    const occupant = book.selectTriedCollision()
    if (occupant !== undefined) {
      // An occupant we are connected to has just answered: that settles its collision (Core does the same).
      if (!inUse.has(occupant.key)) {
        book.attempt(occupant.addr, countFailure)
        return { addr: occupant.addr, target: 'collision' }
      }
      book.good(occupant.addr)
    }
    // No group rule for feelers (Core PR #15486): they test, they are not peers.
    const addr = selectOutbound({ select: () => book.select(true), attempt: (a, c) => { book.attempt(a, c) } }, {
      nowMs: clock.now(),
      defaultPort: this.#init.defaultPort,
      inUseKeys: inUse,
      inUseGroups: new Set(),
      isBanned: (a) => banList.isBanned(a.host),
      countFailure,
      ...pickDefined(this.#init, 'mayDial', 'recentTryMs')
    })
    return addr === undefined ? undefined : { addr, target: 'new' }
  }

  /** Dial, handshake, mark good, close. Rejects with the dial's or the handshake's error. */
  async #feel (addr: NetAddress, signal: AbortSignal): Promise<void> {
    const socket = await this.#c.dialer.dial(addr, { signal })
    const { session: peer } = this.#c.sessions.open(socket, addr, 'feeler')
    const onAbort = (): void => { peer.close('feeler canceled') }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      await peer.handshake()
      this.#c.book.good(addr)
    } finally {
      signal.removeEventListener('abort', onAbort)
      peer.close('feeler done')
    }
  }
}
