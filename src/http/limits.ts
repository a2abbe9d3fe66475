/**
 * The bounds every peerkeeper HTTP endpoint (JSON-RPC, metrics) runs under, so that a slow, huge or
 * numerous client cannot hold a server: how many connections, how large a request, and how long each
 * phase of a request may take. All times run on the injected Clock.
 */
export interface HttpLimits {
  /** Open connections at once, over all bound addresses; further ones are closed on accept. */
  readonly maxConnections: number
  /** Request line plus headers (larger ones get 431 from node:http). */
  readonly maxHeaderBytes: number
  /** Request body; a larger Content-Length or body gets 413. */
  readonly maxBodyBytes: number
  /** From accepting a connection until its first request head is complete. */
  readonly headersTimeoutMs: number
  /** From a complete request head until its response is sent (body upload and handler included). */
  readonly requestTimeoutMs: number
  /** From one response until the next request head is complete, on a kept-alive connection. */
  readonly keepAliveIdleMs: number
  /** Requests served on one connection before the server asks the client to reconnect. */
  readonly maxRequestsPerConnection: number
  /** At stop, how long requests in flight may take to finish before their connections are cut. */
  readonly shutdownGraceMs: number
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  // Core serves RPC with 16 threads and a work queue of 64; a control plane needs far fewer.
  maxConnections: 32,
  // Core's limit for request headers (MAX_HEADERS_SIZE); no client of ours sends more.
  maxHeaderBytes: 8192,
  // The largest real request is a batch of a few thousand calls (~100 bytes each); 1 MiB bounds the
  // worst case memory at maxConnections x 1 MiB = 32 MiB (Core allows 32 MiB for raw blocks we never take).
  maxBodyBytes: 1024 * 1024,
  // Loopback clients send a head in microseconds; 10 s only tolerates a stalled machine.
  headersTimeoutMs: 10_000,
  // Core's -rpcservertimeout default.
  requestTimeoutMs: 30_000,
  // node:http's keep-alive default: long enough for bitcoin-cli style reuse, short for idle sockets.
  keepAliveIdleMs: 5_000,
  // Spreads long-lived clients' load and re-checks them now and then (node's option; Core has none).
  maxRequestsPerConnection: 1000,
  // Lets the reply to an RPC `stop` reach its client while the node shuts down.
  shutdownGraceMs: 1_000
}

/** The defaults with `overrides` applied, checked: every bound must be a positive integer. */
export function httpLimits (overrides: Partial<HttpLimits> = {}): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...overrides }
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`HTTP limit ${name} must be a positive integer, got ${String(value)}`)
  }
  return limits
}
