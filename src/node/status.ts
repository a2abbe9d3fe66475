/** What the one-line status reports (every minute and on SIGUSR1). */
export interface NodeStatus {
  /** Automatic outbound connections that finished their handshake, and their target. */
  readonly outbound: number
  readonly targetOutbound: number
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

/** `outbound 6/8, permanent 1/2, inbound 3/117, v2 5, addresses 1520 new / 34 tried, bans 2` (inbound only when listening) */
export function formatStatus (s: NodeStatus): string {
  const inbound = s.listening ? `inbound ${s.inbound}/${s.maxInbound}, ` : ''
  return `outbound ${s.outbound}/${s.targetOutbound}, permanent ${s.permanentUp}/${s.permanentTotal}, ` +
    `${inbound}v2 ${s.v2}, addresses ${s.addressesNew} new / ${s.addressesTried} tried, bans ${s.bans}`
}
