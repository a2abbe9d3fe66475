/** Which way bytes went, in getpeerinfo's and the metrics' words. */
export type TrafficDirection = 'sent' | 'received'

/** Where a session reports its traffic (the node's totals); each call is one frame or one read. */
export interface TrafficSink {
  /** Raw bytes read from or written to the socket. */
  bytes(direction: TrafficDirection, count: number): void
  /** One whole message frame (header included) of `command`. */
  message(direction: TrafficDirection, command: string, frameBytes: number): void
}

/** A message count and its bytes. */
export interface CommandTally { messages: number, bytes: number }

/**
 * Byte and message counts of one direction, per command. Commands the decoder does not model are
 * counted as `*other*` (Core's name), so a peer cannot grow the table with invented commands.
 */
export class TrafficTally {
  bytes = 0
  readonly byCommand = new Map<string, CommandTally>()

  message (command: string, frameBytes: number): void {
    let tally = this.byCommand.get(command)
    if (tally === undefined) {
      tally = { messages: 0, bytes: 0 }
      this.byCommand.set(command, tally)
    }
    tally.messages++
    tally.bytes += frameBytes
  }
}

/** Core's key for commands it does not know (bytesrecv_per_msg). */
export const OTHER_COMMAND = '*other*'

/** Both directions' counts: one per session, and one for the whole node (getnettotals, metrics). */
export class Traffic implements TrafficSink {
  readonly sent = new TrafficTally()
  readonly received = new TrafficTally()

  bytes (direction: TrafficDirection, count: number): void {
    this[direction].bytes += count
  }

  message (direction: TrafficDirection, command: string, frameBytes: number): void {
    this[direction].message(command, frameBytes)
  }
}

/** One session's traffic and when it last moved, also reported to the node's sink. */
export class SessionTraffic extends Traffic {
  /** Ms on the node's clock; 0 = never (getpeerinfo's lastsend/lastrecv). */
  lastSendMs = 0
  lastReceiveMs = 0
  readonly #sink: TrafficSink | undefined

  constructor (sink?: TrafficSink) {
    super()
    this.#sink = sink
  }

  /** A chunk arrived from the socket. */
  read (byteCount: number, nowMs: number): void {
    this.lastReceiveMs = nowMs
    this.bytes('received', byteCount)
    this.#sink?.bytes('received', byteCount)
  }

  /** A whole frame was decoded from what arrived. */
  frame (command: string, frameBytes: number): void {
    this.message('received', command, frameBytes)
    this.#sink?.message('received', command, frameBytes)
  }

  /** A frame was written to the socket. */
  wrote (command: string, frameBytes: number, nowMs: number): void {
    this.lastSendMs = nowMs
    this.bytes('sent', frameBytes)
    this.message('sent', command, frameBytes)
    this.#sink?.bytes('sent', frameBytes)
    this.#sink?.message('sent', command, frameBytes)
  }
}
