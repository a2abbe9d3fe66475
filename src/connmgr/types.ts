import type { Logger } from '../log/logger.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { Random } from '../util/random.ts'
import type { ConnReq } from './conn-req.ts'
import type { ConnManagerEventMap } from './events.ts'

/** What dial resolves to: a connection that counts as established (in the node: TCP + Bitcoin handshake). */
export interface Closable {
  /** `reason`: why the manager closes it (for the connection's own log), e.g. a rotation. */
  close(reason?: string): void
  /** Aborts when the connection has closed, whoever closed it: the manager then retries or replaces it. */
  readonly closeSignal: AbortSignal
  /**
   * Asked once closeSignal aborted: whether the far end ended it (closed, reset, went silent) rather than
   * a decision of ours (a ban, the operator). Only such departures count towards the rotation's churn.
   * @default true
   */
  departed?(): boolean
}

export interface DialCallOptions {
  readonly signal: AbortSignal
  /** The dial may call this once its transport is up (TCP connected, before the handshake): the stagger learns the round trip from it. */
  readonly onConnected?: () => void
}

export type DialFunction<C> = (addr: NetAddress, options: DialCallOptions) => Promise<C>

export interface ConnManagerComponents<C> {
  clock: Clock
  random: Random
  logger: Logger
  /** Opens a connection; a rejection (refused, timeout, failed handshake) is a failed attempt. */
  dial: DialFunction<C>
  /** Where lifecycle events go (the node's bus). @default dropped */
  events?: EventSink<ConnManagerEventMap>
  /** Request ids: the node shares one id space among requests and connections. @default 1, 2, 3… */
  nextId?: () => number
}

export type ConnManagerEvents<C> = {
  connected: [req: ConnReq, conn: C]
  disconnected: [req: ConnReq]
  retry_scheduled: [req: ConnReq, delayMs: number]
  dial_failed: [req: ConnReq, error: unknown]
}
