import type { NodeConfig } from '../node/config.ts'
import { DEFAULT_GRACE_PERIOD_MS } from '../peervalue/trimming.ts'
import { DEFAULT_PARTIAL_MESSAGE_TIMEOUT_MS, DEFAULT_SEND_STALL_TIMEOUT_MS } from '../peer/tarpit.ts'
import { MIN_BYTE_BURST, type RateLimit } from '../ratelimit/peer-limits.ts'
import { intFlag } from './int-flag.ts'
import { UsageError } from '../util/errors.ts'
import { parseDuration } from './duration.ts'
import type { Options } from 'yargs'

/** Without --peer*burst, a peer may spend this many seconds of its rate at once. */
export const DEFAULT_BURST_SECONDS = 10

const GROUP = 'Peer value and limits:'

/** The flags of tags, trimming, per-peer rate limits and the tarpit deadlines (docs/peer-value.md). */
export const PEER_VALUE_FLAGS = {
  highwater: { type: 'number', group: GROUP, describe: 'trim the least valuable connections when this many are open (0: never)', defaultDescription: '0' },
  lowwater: { type: 'number', group: GROUP, describe: 'a trim closes connections down to this many', defaultDescription: '0' },
  graceperiod: { type: 'string', group: GROUP, describe: 'a new connection is not trimmed for this long', defaultDescription: '1m' },
  maxeventloopdelay: { type: 'number', group: GROUP, describe: 'trim the lowest-valued inbound peers while the event loop lags more than this many ms (0: never)', defaultDescription: '0' },
  peermsgrate: { type: 'number', group: GROUP, describe: 'messages per second a peer may send (disconnect beyond; whitelisted peers exempt)', defaultDescription: 'no limit' },
  peermsgburst: { type: 'number', group: GROUP, describe: 'messages a peer may send at once', defaultDescription: `${DEFAULT_BURST_SECONDS} s of --peermsgrate` },
  peerbyterate: { type: 'number', group: GROUP, describe: 'bytes per second a peer may send (disconnect beyond; whitelisted peers exempt)', defaultDescription: 'no limit' },
  peerbyteburst: { type: 'number', group: GROUP, describe: `bytes a peer may send at once (at least ${MIN_BYTE_BURST})`, defaultDescription: `${DEFAULT_BURST_SECONDS} s of --peerbyterate` },
  sendstalltimeout: { type: 'string', group: GROUP, describe: 'disconnect a peer that leaves what we send unread this long', defaultDescription: '30s' },
  partialmsgtimeout: { type: 'string', group: GROUP, describe: 'disconnect a peer whose message takes longer than this to arrive', defaultDescription: '30s' }
} as const satisfies Record<string, Options>

/** Number flags arrive as the text typed (see textNumberFlags) or as numbers (config file, embedders). */
type NumberValue = number | string
interface PeerValueFlagValues {
  highwater?: NumberValue, lowwater?: NumberValue, graceperiod?: string, maxeventloopdelay?: NumberValue
  peermsgrate?: NumberValue, peermsgburst?: NumberValue, peerbyterate?: NumberValue, peerbyteburst?: NumberValue
  sendstalltimeout?: string, partialmsgtimeout?: string
}

function rateLimit (rate: NumberValue | undefined, burst: NumberValue | undefined, name: 'msg' | 'byte'): RateLimit | undefined {
  const minBurst = name === 'byte' ? MIN_BYTE_BURST : 1
  const r = intFlag(rate, `peer${name}rate`, 1)
  const b = intFlag(burst, `peer${name}burst`, minBurst)
  if (r === undefined) {
    if (b !== undefined) throw new UsageError(`--peer${name}burst needs --peer${name}rate`)
    return undefined
  }
  return { ratePerSecond: r, burst: b ?? Math.max(minBurst, r * DEFAULT_BURST_SECONDS) }
}

function positiveDuration (text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback
  const ms = parseDuration(text, `--${flag}`)
  if (ms <= 0) throw new UsageError(`--${flag}: "${text}" must be longer than 0s`)
  return ms
}

/** The peerValue and guard slices of NodeConfig from the flags; a UsageError names the flag. */
export function peerValueFromFlags (o: PeerValueFlagValues): Pick<NodeConfig, 'peerValue' | 'guard'> {
  const highWater = intFlag(o.highwater, 'highwater', 0) ?? 0
  const lowWater = intFlag(o.lowwater, 'lowwater', 0) ?? 0
  const gracePeriodMs = o.graceperiod === undefined ? DEFAULT_GRACE_PERIOD_MS : parseDuration(o.graceperiod, '--graceperiod')
  if ((lowWater === 0) !== (highWater === 0)) throw new UsageError('--highwater and --lowwater must be set together')
  if (highWater > 0 && lowWater >= highWater) throw new UsageError(`--lowwater: ${lowWater} must be below --highwater (${highWater})`)
  const messages = rateLimit(o.peermsgrate, o.peermsgburst, 'msg')
  const bytes = rateLimit(o.peerbyterate, o.peerbyteburst, 'byte')
  return {
    peerValue: { highWater, lowWater, gracePeriodMs, maxEventLoopDelayMs: intFlag(o.maxeventloopdelay, 'maxeventloopdelay', 0) ?? 0 },
    guard: {
      rateLimits: { ...(messages === undefined ? {} : { messages }), ...(bytes === undefined ? {} : { bytes }) },
      tarpit: {
        sendStallMs: positiveDuration(o.sendstalltimeout, 'sendstalltimeout', DEFAULT_SEND_STALL_TIMEOUT_MS),
        partialMessageMs: positiveDuration(o.partialmsgtimeout, 'partialmsgtimeout', DEFAULT_PARTIAL_MESSAGE_TIMEOUT_MS)
      }
    }
  }
}
