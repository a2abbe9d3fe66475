import type { Clock, TimerHandle } from '../util/clock.ts'
import { DecayingTagError, PeerValueInputError } from './errors.ts'
import type { PeerTags } from './tags.ts'

/** go-libp2p's DefaultResolution: the decayer's one timer ticks this often; no tag decays faster. */
export const DEFAULT_DECAY_RESOLUTION_MS = 60_000

/** One peer's value of one decaying tag, as the decay and bump functions see it. */
export interface DecayingValue {
  readonly key: string
  readonly tag: string
  readonly value: number
  /** When the value was first bumped. */
  readonly addedMs: number
  /** The last decay visit (or the first bump). */
  readonly lastVisitMs: number
  /** The last bump. */
  readonly lastBumpMs: number
}

/** Called on each of the tag's intervals: the new value, or remove to drop the tag from the peer. */
export type DecayFn = (value: DecayingValue, nowMs: number) => { readonly value: number, readonly remove: boolean }
/** Applies a bump's delta to the current value. */
export type BumpFn = (value: DecayingValue, delta: number) => number

/** No decay: the value only changes by bumps. */
export const decayNone = (): DecayFn => (v) => ({ value: v.value, remove: false })

/** Subtracts `minuend` each interval; the tag goes when the value reaches 0 or below. */
export function decayFixed (minuend: number): DecayFn {
  finite('decayFixed minuend', minuend)
  return (v) => {
    const value = v.value - minuend
    return { value, remove: value <= 0 }
  }
}

/** Multiplies by `coefficient` (0..1) and rounds down each interval; the tag goes at 0 or below. */
export function decayLinear (coefficient: number): DecayFn {
  if (!(coefficient >= 0 && coefficient <= 1)) throw new PeerValueInputError(`decayLinear coefficient must be within [0, 1], got ${coefficient}`)
  return (v) => {
    const value = Math.floor(v.value * coefficient)
    return { value, remove: value <= 0 }
  }
}

/**
 * Removes the tag once `afterMs` passed without a bump; the value is kept until then. (go-libp2p's preset
 * of the same name zeroes the value on the first tick instead: its test of "time until the last visit" is
 * negative for any past time. This is the documented intent.)
 */
export function decayExpireWhenInactive (afterMs: number): DecayFn {
  finite('decayExpireWhenInactive afterMs', afterMs)
  return (v, nowMs) => ({ value: v.value, remove: nowMs - v.lastBumpMs >= afterMs })
}

/** Adds the delta, without bounds. */
export const bumpSumUnbounded = (): BumpFn => (v, delta) => v.value + delta

/** Adds the delta and keeps the result within [min, max]. */
export function bumpSumBounded (min: number, max: number): BumpFn {
  finite('bumpSumBounded min', min)
  finite('bumpSumBounded max', max)
  if (min > max) throw new PeerValueInputError(`bumpSumBounded: min ${min} is above max ${max}`)
  return (v, delta) => Math.min(max, Math.max(min, v.value + delta))
}

/** Replaces the value with the delta. */
export const bumpOverwrite = (): BumpFn => (_v, delta) => delta

function finite (field: string, value: number): void {
  if (!Number.isFinite(value)) throw new PeerValueInputError(`${field} must be a finite number, got ${value}`)
}

/** A registered decaying tag: bump and remove values per peer, close to drop it everywhere. */
export interface DecayingTag {
  readonly name: string
  /** The effective interval (raised to the decayer's resolution when shorter). */
  readonly intervalMs: number
  bump (key: string, delta: number): void
  remove (key: string): void
  close (): void
}

interface TagState {
  readonly name: string
  readonly intervalMs: number
  readonly decay: DecayFn
  readonly bump: BumpFn
  readonly values: Map<string, DecayingValue>
  nextDueMs: number
}

export interface DecayerComponents {
  clock: Clock
  tags: PeerTags
}

export interface DecayerInit {
  /** The timer's period. @default DEFAULT_DECAY_RESOLUTION_MS */
  resolutionMs?: number
}

/**
 * Decaying tags (go-libp2p's Decayer). Values are bumped, never set; every tag decays on its own interval,
 * all from one timer on the injected clock that runs only while a tag is registered. Each value is
 * written through to PeerTags under the tag's name, so it counts in the peer's value like any tag.
 * Unlike go-libp2p, bump/remove/close apply at once (there is no queue to overflow).
 */
export class Decayer {
  readonly #c: DecayerComponents
  readonly resolutionMs: number
  readonly #tags = new Map<string, TagState>()
  #timer: TimerHandle | undefined
  #lastTickMs = 0

  constructor (components: DecayerComponents, init: DecayerInit = {}) {
    this.#c = components
    this.resolutionMs = init.resolutionMs ?? DEFAULT_DECAY_RESOLUTION_MS
    if (!(this.resolutionMs > 0) || !Number.isFinite(this.resolutionMs)) throw new PeerValueInputError(`decayer resolutionMs must be a positive number, got ${this.resolutionMs}`)
  }

  /** Registers a decaying tag; an error if the name is taken. The first decay is one interval from the last tick. */
  register (name: string, intervalMs: number, decay: DecayFn, bump: BumpFn): DecayingTag {
    if (this.#tags.has(name)) throw new DecayingTagError(`decaying tag ${name} is already registered`)
    finite(`decaying tag ${name} intervalMs`, intervalMs)
    if (this.#timer === undefined) {
      this.#lastTickMs = this.#c.clock.now()
      this.#timer = this.#c.clock.setInterval(() => { this.tick() }, this.resolutionMs)
    }
    const state: TagState = { name, intervalMs: Math.max(intervalMs, this.resolutionMs), decay, bump, values: new Map(), nextDueMs: 0 }
    state.nextDueMs = this.#lastTickMs + state.intervalMs
    this.#tags.set(name, state)
    return {
      name,
      intervalMs: state.intervalMs,
      bump: (key, delta) => { this.#bump(this.#open(state), key, delta) },
      remove: (key) => { this.#remove(this.#open(state), key) },
      close: () => { this.#close(state) }
    }
  }

  /** One value, or undefined (for tests and the API). */
  value (name: string, key: string): DecayingValue | undefined {
    return this.#tags.get(name)?.values.get(key)
  }

  /** Applies every due decay (the timer calls this each resolution). */
  tick (): void {
    const nowMs = this.#c.clock.now()
    this.#lastTickMs = nowMs
    const tags = this.#c.tags
    tags.sweep(nowMs)
    for (const state of this.#tags.values()) {
      if (nowMs < state.nextDueMs) continue
      state.nextDueMs += state.intervalMs
      for (const [key, v] of state.values) {
        if (!tags.has(key)) { state.values.delete(key); continue } // the peer was forgotten
        const { value, remove } = state.decay(v, nowMs)
        if (remove) {
          state.values.delete(key)
          tags.untag(key, state.name)
        } else {
          state.values.set(key, { ...v, value, lastVisitMs: nowMs })
          tags.tag(key, state.name, value, nowMs)
        }
      }
    }
  }

  /** Closes every tag and stops the timer. */
  close (): void {
    for (const state of [...this.#tags.values()]) this.#close(state)
  }

  #open (state: TagState): TagState {
    if (this.#tags.get(state.name) !== state) throw new DecayingTagError(`decaying tag ${state.name} is closed`)
    return state
  }

  #bump (state: TagState, key: string, delta: number): void {
    finite(`bump of ${state.name}`, delta)
    const nowMs = this.#c.clock.now()
    const current = state.values.get(key) ?? { key, tag: state.name, value: 0, addedMs: nowMs, lastVisitMs: nowMs, lastBumpMs: nowMs }
    const value = state.bump(current, delta)
    state.values.set(key, { ...current, value, lastBumpMs: nowMs })
    this.#c.tags.tag(key, state.name, value, nowMs)
  }

  #remove (state: TagState, key: string): void {
    if (state.values.delete(key)) this.#c.tags.untag(key, state.name)
  }

  #close (state: TagState): void {
    if (this.#tags.get(state.name) !== state) return
    for (const key of state.values.keys()) this.#c.tags.untag(key, state.name)
    this.#tags.delete(state.name)
    if (this.#tags.size === 0 && this.#timer !== undefined) {
      this.#c.clock.clearInterval(this.#timer)
      this.#timer = undefined
    }
  }
}
