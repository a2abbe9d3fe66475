import { TokenBucket } from '../ratelimit/token-bucket.ts'
import { MISBEHAVIOUR_REASONS, misbehaviourRule, type MisbehaviourReason } from './misbehaviour.ts'

/**
 * Per-peer flood detection: one token bucket per flood row of the misbehaviour table. Pure: the caller
 * passes the time, and scores what comes back.
 */
export class FloodGuard {
  readonly #buckets: Array<{ reason: MisbehaviourReason, command: string | undefined, bucket: TokenBucket }> = []

  constructor (nowMs: number) {
    for (const reason of MISBEHAVIOUR_REASONS) {
      const flood = misbehaviourRule(reason).flood
      if (flood === undefined) continue
      this.#buckets.push({ reason, command: flood.command, bucket: new TokenBucket(flood, nowMs) })
    }
  }

  /** The flood reasons that one received message with `command` trips at `nowMs` (each scores once). */
  check (command: string, nowMs: number): MisbehaviourReason[] {
    const tripped: MisbehaviourReason[] = []
    for (const { reason, command: only, bucket } of this.#buckets) {
      if (only !== undefined && only !== command) continue
      if (!bucket.take(nowMs)) tripped.push(reason)
    }
    return tripped
  }
}
