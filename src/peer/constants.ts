import { PEERKEEPER_VERSION } from '../version.ts'
/** Defaults of a peer session (Bitcoin Core's values where it has one, §A8 of the reference). */

/** Time for version + verack both ways; Core allows 60 s, a peer maintainer can expect less. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 20_000
/** Core's PING_INTERVAL: keeps NATs open and measures latency. */
export const DEFAULT_PING_INTERVAL_MS = 2 * 60_000
/** Core's TIMEOUT_INTERVAL for an unanswered ping. */
export const DEFAULT_PING_TIMEOUT_MS = 20 * 60_000
/** Core's TIMEOUT_INTERVAL for a peer that sends nothing at all. */
export const DEFAULT_IDLE_TIMEOUT_MS = 20 * 60_000
/** Ban when the score reaches this (btcd banned only above it). */
export const DEFAULT_BAN_THRESHOLD = 100
/** bcoin's DRAIN_MAX: a peer that does not read is dropped before our send buffer grows past this. */
export const DEFAULT_MAX_SEND_BUFFER_BYTES = 10 * 1024 * 1024
export const DEFAULT_USER_AGENT = `/peerkeeper:${PEERKEEPER_VERSION}/`

/** Core's MAX_ADDR_RATE_PER_SECOND: gossip a peer may push to us. */
export const ADDR_RATE_PER_SECOND = 0.1
/** Core's MAX_ADDR_PROCESSING_TOKEN_BUCKET: refill stops here. */
export const ADDR_BUCKET_CAPACITY = 1000
/** Core starts the bucket at 1 so a new peer can announce itself. */
export const ADDR_BUCKET_INITIAL = 1
/** Core's MAX_ADDR_TO_SEND: room for the answer to our own getaddr. */
export const GETADDR_REPLY_ALLOWANCE = 1000
/** The most addresses we send in answer to a getaddr (Core's MAX_ADDR_TO_SEND). */
export const MAX_GETADDR_REPLY_ENTRIES = 1000
