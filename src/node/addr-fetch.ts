import type { ConnectionGater } from '../gater/gater.ts'
import { addrKey, toNetAddress, type HostPort, type NetAddress } from '../netaddr/netaddress.ts'
import type { Resolver } from '../discovery/resolver.ts'
import type { Dialer } from '../transport/dialer.ts'
import { anySignal, clockTimeoutSignal, type Clock } from '../util/clock.ts'
import type { EventSink } from '../util/event-bus.ts'
import { DialDeniedError } from './errors.ts'
import type { NodeEventMap } from './events.ts'
import type { Sessions } from './sessions.ts'

/** Core's addr-fetch peers get 30 s (its timeout between checks); enough for a getaddr answer. */
export const ADDR_FETCH_TIMEOUT_MS = 30_000

export interface AddrFetchComponents {
  clock: Clock
  events: EventSink<NodeEventMap>
  resolver: Resolver
  dialer: Dialer
  gater: ConnectionGater
  sessions: Sessions
}

/** A name becomes its first address (btcd's addrStringToNetAddr); literals and .onion stay as they are. */
export async function resolveHostPort (resolver: Resolver, hp: HostPort, signal: AbortSignal): Promise<NetAddress> {
  const literal = toNetAddress(hp.host, hp.port)
  if (literal !== undefined) return literal
  for (const ip of await resolver.resolve(hp.host, { signal })) {
    const addr = toNetAddress(ip, hp.port)
    if (addr !== undefined) return addr
  }
  throw new Error(`${hp.host} resolved to no usable address`)
}

/**
 * --seednode (Core's ADDR_FETCH): connect, ask for addresses, and leave once a batch of more than one
 * address has arrived (the session's address sink has put it in the book) or the time is up.
 */
export async function fetchAddresses (c: AddrFetchComponents, seed: HostPort, signal: AbortSignal): Promise<void> {
  const where = addrKey(seed)
  const timeout = clockTimeoutSignal(c.clock, ADDR_FETCH_TIMEOUT_MS, () => new Error(`no addresses from ${where} within ${ADDR_FETCH_TIMEOUT_MS} ms`))
  const both = anySignal([signal, timeout.signal])
  try {
    const addr = await resolveHostPort(c.resolver, seed, both.signal)
    const decision = c.gater.interceptAddrDial(addr, 'addr-fetch')
    if (!decision.allow) throw new DialDeniedError(addrKey(addr), decision.reason)
    const socket = await c.dialer.dial(addr, { signal: both.signal })
    const { session: peer } = c.sessions.open(socket, addr, 'addr-fetch')
    const received = await new Promise<number>((resolve) => {
      const finish = (count: number): void => { both.signal.removeEventListener('abort', onAbort); resolve(count) }
      const onAbort = (): void => { finish(0) }
      both.signal.addEventListener('abort', onAbort, { once: true })
      peer.on('addr', (addrs) => { if (addrs.length > 1) finish(addrs.length) })
      peer.on('close', () => { finish(0) })
      peer.handshake().catch(() => {}) // a failed handshake closes the session, which finishes above
    })
    peer.close('address fetch done')
    c.events.emit('seednode_fetched', { addr: where, count: received })
  } catch (err) {
    c.events.emit('seednode_failed', { addr: where, reason: (err as Error).message })
  } finally {
    timeout.clear()
    both.clear()
  }
}
