import type { ProtocolError } from '../wire/errors.ts'
import type { TokenBucketInit } from '../ratelimit/token-bucket.ts'

/**
 * The one table of peer misbehaviour: what each offence adds to the peer's DynamicBanScore and whether it
 * disconnects by itself. Persistent points never decay; transient points halve every 60 s, so bursts are
 * forgiven and sustained abuse is not. Refusals (old version, missing services, self-connection, wrong
 * network magic) are not misbehaviour: they disconnect without any score (see handshake-policy.ts).
 * The "Misbehaviour" table in docs/peer-sessions.md mirrors this one (a test keeps them in step).
 */
export interface MisbehaviourRule {
  readonly persistent: number
  /** For flood rows: added once per message beyond the bucket's allowance. */
  readonly transient: number
  /** Disconnect even below the ban threshold (the stream or the protocol state is unusable). */
  readonly disconnect: boolean
  /**
   * For flood rows: the allowance per peer for messages with `command` (every message when absent);
   * each message the bucket refuses scores once.
   */
  readonly flood?: TokenBucketInit & { readonly command?: string }
  readonly description: string
}

export const MISBEHAVIOUR = {
  'oversized-message': {
    persistent: 100, transient: 0, disconnect: true,
    description: 'declared payload over 4,000,000 bytes (refused from the header; ban at once)'
  },
  'bad-command': {
    persistent: 10, transient: 0, disconnect: true,
    description: 'header command field is not NUL-padded printable ASCII (framing lost)'
  },
  'bad-checksum': {
    persistent: 10, transient: 0, disconnect: false,
    description: 'payload checksum mismatch (message skipped)'
  },
  'malformed-payload': {
    persistent: 10, transient: 0, disconnect: false,
    description: 'payload of a known command does not decode (message skipped)'
  },
  'message-before-handshake': {
    persistent: 10, transient: 0, disconnect: false,
    description: 'a message other than version/verack before the version, or a known non-negotiation message before the handshake completes (ignored)'
  },
  'duplicate-version': {
    persistent: 10, transient: 0, disconnect: false,
    description: 'a second version message (ignored)'
  },
  'addr-too-many': {
    persistent: 20, transient: 0, disconnect: false,
    description: 'addr/addrv2 with more than 1000 entries (whole message dropped)'
  },
  'late-negotiation': {
    persistent: 0, transient: 0, disconnect: true,
    description: 'sendaddrv2 or wtxidrelay after the handshake (protocol order, as Bitcoin Core: disconnect only)'
  },
  'ping-flood': {
    // Nodes ping every 30 s (bcoin) to 2 min (Core, btcd); a peer pinging every 5 s is chatty but honest
    // and must score nothing (at one per 10 s it levelled off at 86, one burst short of a ban).
    persistent: 0, transient: 10, disconnect: false, flood: { command: 'ping', ratePerSecond: 0.2, capacity: 10 },
    description: 'more pings than 10 at once plus one per 5 s'
  },
  'getaddr-flood': {
    // Honest peers ask once per connection; the answer is given once, repeats only cost us parsing.
    persistent: 0, transient: 20, disconnect: false, flood: { command: 'getaddr', ratePerSecond: 1 / 60, capacity: 3 },
    description: 'more getaddr than 3 at once plus one per minute'
  },
  'message-flood': {
    // We relay no transactions (version relay=false), so a full node sends us little; 100/s is generous.
    persistent: 0, transient: 1, disconnect: false, flood: { ratePerSecond: 100, capacity: 1000 },
    description: 'more messages of any kind than 1000 at once plus 100 per second'
  }
} as const satisfies Record<string, MisbehaviourRule>

export type MisbehaviourReason = keyof typeof MISBEHAVIOUR

export const MISBEHAVIOUR_REASONS = Object.keys(MISBEHAVIOUR) as MisbehaviourReason[]

export function misbehaviourRule (reason: MisbehaviourReason): MisbehaviourRule {
  return MISBEHAVIOUR[reason]
}

/** The misbehaviour row of a non-magic protocol error. */
export function protocolErrorReason (err: ProtocolError): MisbehaviourReason {
  switch (err.kind) {
    case 'oversized': return 'oversized-message'
    case 'bad-command': return 'bad-command'
    case 'bad-checksum': return 'bad-checksum'
    // Only addr/addrv2 carry a capped list, so an over-long list is always the addr row.
    case 'too-many-entries': return 'addr-too-many'
    default: return 'malformed-payload'
  }
}
