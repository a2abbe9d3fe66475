import type { AddrBook } from '../addrbook/addr-book.ts'
import type { BanList } from '../banlist/ban-list.ts'
import type { HostPort, NetAddress } from '../netaddr/netaddress.ts'
import type { Peer } from '../peer/peer.ts'
import type { Traffic } from '../peer/traffic.ts'
import type { ConnectionRegistry } from '../registry/connection-registry.ts'
import type { Clock } from '../util/clock.ts'

/** One reachable (or not) network, as getnetworkinfo's `networks` lists it. */
export interface NetworkReach {
  readonly name: string
  readonly limited: boolean
  readonly reachable: boolean
  /** `host:port` of the SOCKS5 proxy, or '' when direct. */
  readonly proxy: string
  readonly proxy_randomize_credentials: boolean
}

/** The permanent peers' list (--addpeer/--connect and addnode), as the node keeps it. */
export interface PermanentPeerList {
  list(): Array<{ readonly given: HostPort, readonly addr: NetAddress | undefined }>
  /** False when the peer is already on the list. */
  add(hp: HostPort): boolean
  /** False when the peer is not on the list; removal ends its connection. */
  remove(hp: HostPort): boolean
}

/**
 * What the RPC methods work on: the running node's parts and a few node-level actions. The node builds
 * it (src/node/control-plane.ts); the methods never see the node itself.
 */
export interface ControlContext {
  readonly clock: Clock
  readonly network: { readonly name: string, readonly defaultPort: number, readonly protocolVersion: number }
  /** When the node started, ms on the clock (uptime). */
  readonly startedAtMs: number
  readonly registry: ConnectionRegistry<Peer>
  readonly book: AddrBook
  readonly banList: BanList
  readonly permanent: PermanentPeerList
  /** The node's traffic since it started, closed connections included. */
  readonly traffic: Traffic
  /** Our own addresses with Core's scores (getnetworkinfo's `localaddresses`). */
  localAddresses(): ReadonlyArray<{ readonly addr: NetAddress, readonly score: number }>
  readonly userAgent: string
  networks(): NetworkReach[]
  /** The status line's numbers (getstatus). */
  status(): object
  /** Dials `addr` once as a manual connection, no retry (addnode onetry); resolves when the attempt is under way. */
  oneTry(hp: HostPort): void
  /** Asks the node to shut down; called after the reply to `stop` is on its way. */
  requestStop(): void
  /** What SIGHUP does: re-reads the configuration and applies what can change while running. */
  reload: (() => Promise<unknown>) | undefined
}
