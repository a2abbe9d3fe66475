import { encodeMessage } from '../wire/encode.ts'
import { HEADER_BYTES, MAX_PROTOCOL_MESSAGE_BYTES } from '../wire/messages.ts'
import type { Misbehaviour } from './profiles.ts'

/**
 * The bytes a misbehaving sim peer writes after the handshake, as a bounded schedule of bursts.
 * Each burst is built once and written as one chunk, so a flood costs the simulator almost nothing.
 */
export interface MisbehaviourPlan {
  readonly burst: Uint8Array
  /** Messages in one burst (for the sent-message count). */
  readonly messagesPerBurst: number
  readonly bursts: number
  readonly intervalMs: number
}

/** Pings per burst and burst spacing: 2,000 pings/s, far above any honest keep-alive rate. */
const FLOOD_BURST_PINGS = 200
const FLOOD_INTERVAL_MS = 100
/** Bounds the flood to 5 s worth (10,000 pings) even against a node that never reacts. */
const FLOOD_BURSTS = 50
/** Checksum mismatches sent in one go: enough persistent increases to cross a threshold of 100. */
const GARBAGE_MESSAGES = 50
const CHECKSUM_OFFSET = 20 // magic 4 + command 12 + length 4
const LENGTH_OFFSET = 16

export function misbehaviourPlan (kind: Misbehaviour, magic: Uint8Array): MisbehaviourPlan {
  const ping = encodeMessage(magic, { command: 'ping', nonce: 0x5ee5n })
  switch (kind) {
    case 'ping-flood':
      return { burst: repeat(ping, FLOOD_BURST_PINGS), messagesPerBurst: FLOOD_BURST_PINGS, bursts: FLOOD_BURSTS, intervalMs: FLOOD_INTERVAL_MS }
    case 'garbage': {
      const bad = Uint8Array.from(ping)
      bad[CHECKSUM_OFFSET] = (bad[CHECKSUM_OFFSET] ?? 0) ^ 0xff
      return { burst: repeat(bad, GARBAGE_MESSAGES), messagesPerBurst: GARBAGE_MESSAGES, bursts: 1, intervalMs: 0 }
    }
    case 'oversized': {
      // Only the header: a node must refuse the message from its declared length, before any payload.
      const header = ping.slice(0, HEADER_BYTES)
      new DataView(header.buffer).setUint32(LENGTH_OFFSET, MAX_PROTOCOL_MESSAGE_BYTES + 1, true)
      return { burst: header, messagesPerBurst: 1, bursts: 1, intervalMs: 0 }
    }
  }
}

function repeat (frame: Uint8Array, times: number): Uint8Array {
  const out = new Uint8Array(frame.length * times)
  for (let i = 0; i < times; i++) out.set(frame, i * frame.length)
  return out
}
