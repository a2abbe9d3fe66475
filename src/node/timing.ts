import type { PeerTimeouts } from '../peer/types.ts'

/** Timing knobs for tests, the demo and benchmarks; operators get the defaults. */
export interface NodeTiming {
  /** First retry of a permanent peer (connection manager). @default 5000 */
  retryDurationMs?: number
  /** @default 300000 */
  maxRetryDurationMs?: number
  /** Fallback wait of a request that found no usable address (seeding normally wakes it first). @default 1000 */
  noAddressRetryMs?: number
  /** Seed when no outbound is up this long after start. @default SEED_DELAY_MS (11 s) */
  seedDelayMs?: number
  /** @default RESEED_INTERVAL_MS (60 s) */
  reseedIntervalMs?: number
  /** @default STATUS_INTERVAL_MS */
  statusIntervalMs?: number
  /** Anchors are rewritten this long after the outbound set changes. @default ANCHOR_SAVE_DELAY_MS (5 s) */
  anchorSaveDelayMs?: number
  /** Address-book writes are batched this often. @default 60 s */
  flushIntervalMs?: number
  /** Direct TCP connects of the default dialer (proxied ones get DEFAULT_PROXY_CONNECT_TIMEOUT_MS). @default 5 s */
  connectTimeoutMs?: number
  peerTimeouts?: Partial<PeerTimeouts>
  /** An automatic dial in flight this long gets a companion (connection manager). @default 1000 */
  dialStaggerMs?: number
  /** Mean wait between feelers. @default FEELER_INTERVAL_MS (2 min) */
  feelerIntervalMs?: number
  /**
   * Core's recent-try window of the outbound and feeler picks. The eclipse simulation scales it with the
   * churn it compresses. @default RECENT_TRY_MS (10 min)
   */
  recentTryMs?: number
  /** How long a peer that returned must then be held to earn another return (src/connmgr/returns.ts). @default DEFAULT_RETURN_MIN_TENURE_MS (1 min) */
  returnMinTenureMs?: number
  /** The rotation's minimum spacing, minimum tenure and churn half-life (src/connmgr/rotation.ts). */
  rotation?: { minSpacingMs?: number, minTenureMs?: number, halfLifeMs?: number }
}
