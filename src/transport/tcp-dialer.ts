import type { Socket } from 'node:net'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import { anySignal, clockTimeoutSignal, type Clock } from '../util/clock.ts'
import { connectTcp } from './connect-tcp.ts'
import type { Dialer, DialOptions } from './dialer.ts'
import { DialTimeoutError, UnreachableNetworkError } from './errors.ts'

/**
 * Bitcoin Core's DEFAULT_CONNECT_TIMEOUT: a reachable peer answers a TCP connect well within it, and a
 * dead address should not hold an outbound slot for btcd's 30 s.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000

export interface TcpDialerComponents {
  clock: Clock
}

export interface TcpDialerInit {
  /** @default DEFAULT_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number
  /** The local IP outbound sockets are bound to (several nodes on one host, each with its own address). @default the system's choice */
  localAddress?: string
}

/** Plain TCP to IP addresses. Overlay addresses (.onion, .i2p) are refused: they need a proxy. */
export class TcpDialer implements Dialer {
  readonly #clock: Clock
  readonly #connectTimeoutMs: number
  readonly #localAddress: string | undefined

  constructor (components: TcpDialerComponents, init: TcpDialerInit = {}) {
    this.#clock = components.clock
    this.#connectTimeoutMs = init.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    this.#localAddress = init.localAddress
  }

  async dial (addr: NetAddress, options: DialOptions): Promise<Socket> {
    const target = addrKey(addr)
    if (addr.network === 'torv3' || addr.network === 'i2p') {
      throw new UnreachableNetworkError(target, `a ${addr.network} address needs a proxy (the proxy or onion option)`)
    }
    const ms = this.#connectTimeoutMs
    const timeout = clockTimeoutSignal(this.#clock, ms, () => new DialTimeoutError(target, ms))
    const signal = anySignal([options.signal, timeout.signal])
    try {
      return await connectTcp(addr.host, addr.port, signal.signal, this.#localAddress)
    } finally {
      timeout.clear()
      signal.clear()
    }
  }
}
