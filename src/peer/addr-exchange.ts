import type { TimedAddress } from '../netaddr/netaddress.ts'
import { TokenBucket } from '../ratelimit/token-bucket.ts'
import type { KnownMessage } from '../wire/messages.ts'
import * as D from './constants.ts'
import type { Direction } from './handshake-policy.ts'

/**
 * One session's address exchange, pure (time comes in as arguments): which getaddr is answered and with
 * what, and how much gossip is taken (Core's token bucket: 0.1 address/s, 1000 at once, plus a
 * getaddr's reply allowance). The session sends and scores; this decides.
 */
export class AddrExchange {
  readonly #bucket: TokenBucket
  /** Whitelisted with the `addr` permission: gossip is never rate-limited. */
  readonly #unlimited: boolean
  #answeredGetAddr = false
  /** The peer sent sendaddrv2: it gets addrv2, with every network. */
  addrV2 = false

  constructor (nowMs: number, init: { unlimited: boolean }) {
    this.#bucket = new TokenBucket({ ratePerSecond: D.ADDR_RATE_PER_SECOND, capacity: D.ADDR_BUCKET_CAPACITY, initialTokens: D.ADDR_BUCKET_INITIAL }, nowMs)
    this.#unlimited = init.unlimited
  }

  /** We sent getaddr: its answer may be larger than the bucket allows. */
  askedForAddresses (): void {
    this.#bucket.add(D.GETADDR_REPLY_ALLOWANCE)
  }

  /**
   * The reply to a getaddr, or undefined: inbound peers are answered once per connection; outbound ones
   * never, as Core does, so a peer we chose cannot fingerprint us through our address book.
   */
  answerGetAddr (direction: Direction, sample: () => TimedAddress[]): KnownMessage | undefined {
    if (direction === 'outbound' || this.#answeredGetAddr) return undefined
    this.#answeredGetAddr = true
    return this.addrMessage(sample().slice(0, D.MAX_GETADDR_REPLY_ENTRIES))
  }

  /** The message carrying `addrs` to this peer: addrv2 if it asked for it, else addr with IPv4/IPv6 only; undefined if none fits. */
  addrMessage (addrs: readonly TimedAddress[]): KnownMessage | undefined {
    const fit = this.addrV2 ? [...addrs] : addrs.filter((a) => a.addr.network === 'ipv4' || a.addr.network === 'ipv6')
    return fit.length === 0 ? undefined : { command: this.addrV2 ? 'addrv2' : 'addr', addrs: fit }
  }

  /** The part of a gossiped batch the rate limit lets through (the rest is dropped, not scored). */
  accept (addrs: readonly TimedAddress[], nowMs: number): TimedAddress[] {
    const allowed = this.#unlimited ? addrs.length : this.#bucket.takeUpTo(nowMs, addrs.length)
    return addrs.slice(0, allowed)
  }
}
