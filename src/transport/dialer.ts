import type { Socket } from 'node:net'
import type { NetAddress } from '../netaddr/netaddress.ts'

export interface DialOptions {
  /** Aborts the attempt (shutdown, or the connection manager cancelling it). */
  readonly signal: AbortSignal
}

/**
 * Opens a byte stream to a peer: plain TCP, or through a SOCKS5/Tor proxy. The connect timeout is
 * the dialer's own setting, measured on its injected clock.
 */
export interface Dialer {
  dial(addr: NetAddress, options: DialOptions): Promise<Socket>
}
