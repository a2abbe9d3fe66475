import { isAcceptable } from '../addrbook/netgroup.ts'
import { addrKey, toNetAddress, type NetAddress } from '../netaddr/netaddress.ts'
import type { LocalAddresses } from './local-addresses.ts'
import type { Peer } from '../peer/peer.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { ConnectionKind } from '../registry/types.ts'
import { unixSeconds, type Clock, type TimerHandle } from '../util/clock.ts'
import type { EventBus } from '../util/event-bus.ts'
import type { Random } from '../util/random.ts'
import type { VersionNetAddr } from '../wire/messages.ts'
import type { Startable } from '../util/startable.ts'
import type { NodeConfig } from './config.ts'
import type { NodeEvents } from './events.ts'

/** Core's AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL: each peer hears our address again about once a day. */
export const SELF_ADVERT_INTERVAL_MS = 24 * 3600_000
/** Core's AVG_ADDRESS_BROADCAST_INTERVAL: the first announcement goes out with the next addr flush. */
export const FIRST_SELF_ADVERT_MEAN_MS = 30_000
/** The kinds we announce ourselves to: Core's addr-relay outbound peers (automatic full relay and manual). */
const ADVERTISE_TO: ReadonlySet<ConnectionKind> = new Set(['outbound-full-relay', 'manual'])

/** An exponential wait (Core's GetExponentialRand): the first with a 30 s mean, then with a 24 h mean. */
export function selfAdvertDelayMs (first: boolean, random: Random): number {
  return -Math.log(1 - random.float()) * (first ? FIRST_SELF_ADVERT_MEAN_MS : SELF_ADVERT_INTERVAL_MS)
}

export interface LocalAddressInput {
  /** --externalip addresses (Core's LOCAL_MANUAL). */
  readonly externalIps: readonly NetAddress[]
  /** How this peer sees us (its version's addr_recv); only the IP counts for an outbound peer. */
  readonly peerView: VersionNetAddr
  readonly peer: NetAddress
  readonly listenPort: number
  /** --proxy: nothing but a configured onion address is ever announced (the IP would unmask us). */
  readonly proxy: boolean
  readonly allowLocal: boolean
}

/**
 * The address we announce to `peer` (Core's GetLocalAddrForPeer, simplified): a configured --externalip,
 * preferring one on the peer's network; without one (discovery, off behind a proxy), the address the
 * peer sees us at with our listening port. Undefined when nothing usable (acceptable as a peer address)
 * is known.
 */
export function localAddressFor (input: LocalAddressInput): NetAddress | undefined {
  const candidates = input.proxy ? input.externalIps.filter((a) => a.network === 'torv3') : input.externalIps
  const manual = candidates.find((a) => a.network === input.peer.network) ?? candidates[0]
  if (manual !== undefined) return manual
  if (input.proxy || input.externalIps.length > 0) return undefined
  const seen = toNetAddress(input.peerView.host, input.listenPort)
  return seen !== undefined && isAcceptable(seen, input.allowLocal) ? seen : undefined
}

export interface SelfAdvertiserComponents {
  clock: Clock
  random: Random
  events: EventBus<NodeEvents>
  registry: ConnectionRegistry<Peer>
  /** Each address we announce is ours: the outbound picks skip it from then on. */
  local: LocalAddresses
}

export interface SelfAdvertiserInit {
  externalIps: readonly NetAddress[]
  /** Our listening port; undefined = not listening, nothing is announced. */
  listenPort: number | undefined
  proxy: boolean
  allowLocal: boolean
}

/** The advertiser's settings from the node's config: the first listening port, --externalip, --proxy. */
export function selfAdvertInit (config: NodeConfig): SelfAdvertiserInit {
  return {
    externalIps: config.inbound.externalIps ?? [],
    listenPort: config.inbound.listen[0]?.port,
    proxy: config.transport.proxy !== undefined,
    allowLocal: config.params.allowLocalAddresses
  }
}

/**
 * Self-advertisement: a listening node tells each outbound full-relay (and manual) peer its own address
 * shortly after the handshake, then about once a day, so that others can find and dial it. Block-relay-only
 * peers and feelers never hear it (they take no part in address relay).
 */
export class SelfAdvertiser implements Startable {
  readonly #c: SelfAdvertiserComponents
  readonly #init: SelfAdvertiserInit
  readonly #timers = new Map<number, TimerHandle>()
  #unsubscribe: (() => void) | undefined

  constructor (components: SelfAdvertiserComponents, init: SelfAdvertiserInit) {
    this.#c = components
    this.#init = init
  }

  start (): void {
    if (this.#init.listenPort === undefined || this.#unsubscribe !== undefined) return
    this.#unsubscribe = this.#c.events.on('peer_handshake', ({ id }) => { this.#watch(id) })
  }

  stop (): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    for (const handle of this.#timers.values()) this.#c.clock.clearTimeout(handle)
    this.#timers.clear()
  }

  #watch (id: number): void {
    const conn = this.#c.registry.get(id)
    if (conn === undefined || !ADVERTISE_TO.has(conn.kind)) return
    conn.session.once('close', () => {
      const handle = this.#timers.get(id)
      if (handle !== undefined) this.#c.clock.clearTimeout(handle)
      this.#timers.delete(id)
    })
    this.#schedule(id, conn.session, true)
  }

  #schedule (id: number, peer: Peer, first: boolean): void {
    this.#timers.set(id, this.#c.clock.setTimeout(() => {
      this.#timers.delete(id)
      if (peer.state !== 'established') return
      this.#advertise(id, peer)
      this.#schedule(id, peer, false)
    }, selfAdvertDelayMs(first, this.#c.random)))
  }

  #advertise (id: number, peer: Peer): void {
    const info = peer.info
    const listenPort = this.#init.listenPort
    if (info === undefined || listenPort === undefined) return
    const addr = localAddressFor({ ...this.#init, listenPort, peerView: info.localAddr, peer: peer.addr })
    if (addr === undefined) return
    this.#c.local.seen(addr)
    peer.sendAddresses([{ addr, services: 0n, time: unixSeconds(this.#c.clock) }])
    this.#c.events.emit('self_advertised', { id, addr: addrKey(peer.addr), advertised: addrKey(addr) })
  }
}
