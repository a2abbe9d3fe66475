import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'

/** The life of a connection request (btcd's ConnState, same values). */
export const ConnState = {
  /** Registered; an address pick, a dial or a retry wait is under way. */
  Pending: 0,
  /** The last attempt failed (a terminal state for a request that is given up). */
  Failing: 1,
  /** Removed or aborted before it connected. */
  Canceled: 2,
  Established: 3,
  Disconnected: 4
} as const
export type ConnState = (typeof ConnState)[keyof typeof ConnState]

/** A request for one outbound connection; permanent requests are retried with backoff for ever. */
export class ConnReq {
  #id = 0
  addr: NetAddress | undefined
  readonly permanent: boolean
  state: ConnState = ConnState.Pending
  /** Consecutive failed attempts since the last success; drives the backoff delay. */
  retryCount = 0
  /**
   * Set while a departed automatic peer is redialed for its slot (returns.ts): when its claim ends. Such a
   * request does not count towards the target (a stand-in holds the slot meanwhile).
   */
  returnUntilMs: number | undefined

  constructor (init: { addr?: NetAddress, permanent?: boolean } = {}) {
    this.addr = init.addr
    this.permanent = init.permanent ?? false
  }

  /** 0 until the connection manager registers the request. */
  get id (): number {
    return this.#id
  }

  /** @internal Called once by the ConnManager that registers this request. */
  assignId (id: number): void {
    if (this.#id !== 0) throw new Error(`connection request already has id ${this.#id}`)
    this.#id = id
  }

  /** btcd's format: "<addr> (reqid N)", or "reqid N" without an address. */
  toString (): string {
    return this.addr === undefined ? `reqid ${this.#id}` : `${addrKey(this.addr)} (reqid ${this.#id})`
  }
}
