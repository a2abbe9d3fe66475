import type { Logger } from '../log/logger.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { ConnReq } from './conn-req.ts'

/** What dial resolves to: a connection that counts as established (later: TCP + Bitcoin handshake). */
export interface Closable {
  close(): void
}

export type DialFunction<C> = (addr: NetAddress, options: { signal: AbortSignal }) => Promise<C>

export interface ConnManagerComponents<C> {
  clock: Clock
  random: Random
  logger: Logger
  /** Opens a connection; a rejection (refused, timeout, failed handshake) is a failed attempt. */
  dial: DialFunction<C>
}

export type ConnManagerEvents<C> = {
  connected: [req: ConnReq, conn: C]
  disconnected: [req: ConnReq]
  retry_scheduled: [req: ConnReq, delayMs: number]
  dial_failed: [req: ConnReq, error: unknown]
}
