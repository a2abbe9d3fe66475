import type { DialCallOptions } from '../../src/connmgr/types.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'

/** A connection stand-in for the connection manager's tests: counts close() calls; drop() is the peer leaving. */
export class FakeConn {
  readonly addr: NetAddress
  closed = 0
  readonly #closed = new AbortController()
  constructor (addr: NetAddress) {
    this.addr = addr
  }

  get closeSignal (): AbortSignal {
    return this.#closed.signal
  }

  close (): void {
    this.closed++
    this.#closed.abort()
  }

  /** The remote end went away: the connection closes without the manager asking. */
  drop (): void {
    this.#closed.abort()
  }

  #departed = true
  /** Closed by a decision of ours outside the manager (a ban, the operator): not a departure. */
  kick (): void {
    this.#departed = false
    this.#closed.abort()
  }

  departed (): boolean {
    return this.#departed
  }
}

export interface DialCall {
  readonly addr: NetAddress
  readonly signal: AbortSignal
  /** Settles a held dial with a connection. */
  succeed(): FakeConn
  /** Settles a held dial with an error. */
  fail(err?: Error): void
  /** The transport is up (the peer accepted): calls the dial's onConnected, as the node's dial does before the handshake. */
  connected(): void
  readonly settled: boolean
}

export type DialOutcome = 'hold' | 'succeed' | 'fail'

/**
 * A dial function whose calls the test sees and settles: each call is held until the test settles it,
 * or settled at once as `outcome(addr, index)` says. A held call honours its AbortSignal, like a real dialer.
 */
export function scriptedDial (outcome: (addr: NetAddress, index: number) => DialOutcome = () => 'hold'): {
  dial: (addr: NetAddress, options: DialCallOptions) => Promise<FakeConn>
  calls: DialCall[]
  held: () => DialCall[]
} {
  const calls: DialCall[] = []
  const dial = (addr: NetAddress, { signal, onConnected }: DialCallOptions): Promise<FakeConn> => new Promise((resolve, reject) => {
    let settled = false
    const settle = (): boolean => {
      if (settled) return false
      settled = true
      signal.removeEventListener('abort', onAbort)
      return true
    }
    const onAbort = (): void => { if (settle()) reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    const call: DialCall = {
      addr,
      signal,
      succeed: () => {
        const conn = new FakeConn(addr)
        if (settle()) resolve(conn)
        return conn
      },
      fail: (err = new Error('connection refused')) => { if (settle()) reject(err) },
      connected: () => { onConnected?.() },
      get settled () { return settled }
    }
    calls.push(call)
    const what = outcome(addr, calls.length - 1)
    if (what === 'succeed') call.succeed()
    if (what === 'fail') call.fail()
  })
  return { dial, calls, held: () => calls.filter((c) => !c.settled) }
}

/** Distinct loopback addresses 127.0.0.1:port, port = 20000 + n. */
export function loopbackAddr (n: number): NetAddress {
  return { network: 'ipv4', host: '127.0.0.1', port: 20_000 + n }
}
