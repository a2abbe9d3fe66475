/** What the one-line status reports (every minute and on SIGUSR1). */
export interface NodeStatus {
  /** Automatic outbound connections that finished their handshake, and their target. */
  readonly outbound: number
  readonly targetOutbound: number
  /** Block-relay-only connections up, and their slots. */
  readonly blockRelay: number
  readonly blockRelayTarget: number
  /** Permanent (--addpeer/--connect) peers connected, and how many there are. */
  readonly permanentUp: number
  readonly permanentTotal: number
  readonly inbound: number
  readonly maxInbound: number
  /** Handshaken connections (any kind) encrypted with BIP324. */
  readonly v2: number
  /** Whether any listener is up: without one, the line leaves inbound out. */
  readonly listening: boolean
  readonly addressesNew: number
  readonly addressesTried: number
  readonly bans: number
}

/**
 * `outbound 6/8, block-relay 2/2, permanent 1/2, inbound 3/115, v2 5, addresses 1520 new / 34 tried, bans 2`
 * (inbound only when listening, block-relay only with such slots)
 */
export function formatStatus (s: NodeStatus): string {
  const blockRelay = s.blockRelayTarget > 0 ? `, block-relay ${s.blockRelay}/${s.blockRelayTarget}` : ''
  const inbound = s.listening ? `inbound ${s.inbound}/${s.maxInbound}, ` : ''
  return `outbound ${s.outbound}/${s.targetOutbound}${blockRelay}, permanent ${s.permanentUp}/${s.permanentTotal}, ` +
    `${inbound}v2 ${s.v2}, addresses ${s.addressesNew} new / ${s.addressesTried} tried, bans ${s.bans}`
}
