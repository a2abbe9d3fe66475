import type { Clock, TimerHandle } from '../util/clock.ts'

/** Why a request waits: a retry or throttle after a failure, or for an address to become usable. */
export type WaitKind = 'retry' | 'no_address'

/**
 * The requests' waits, by request id: at most one each, cleared on cancel and stop. The ones waiting
 * for an address can be ended early (when the address source grows).
 */
export class Waits {
  readonly #clock: Clock
  readonly #byId = new Map<number, { handle: TimerHandle, kind: WaitKind }>()

  constructor (clock: Clock) {
    this.#clock = clock
  }

  /** Runs `fn` after `ms` unless cleared first; replaces a wait the request already had. */
  set (id: number, ms: number, kind: WaitKind, fn: () => void): void {
    this.clear(id)
    const handle = this.#clock.setTimeout(() => {
      this.#byId.delete(id)
      fn()
    }, ms)
    this.#byId.set(id, { handle, kind })
  }

  has (id: number): boolean {
    return this.#byId.has(id)
  }

  clear (id: number): void {
    const wait = this.#byId.get(id)
    if (wait !== undefined) this.#clock.clearTimeout(wait.handle)
    this.#byId.delete(id)
  }

  /** Clears every wait for an address and returns their request ids. */
  takeNoAddress (): number[] {
    const ids = [...this.#byId].filter(([, w]) => w.kind === 'no_address').map(([id]) => id)
    for (const id of ids) this.clear(id)
    return ids
  }

  clearAll (): void {
    for (const id of [...this.#byId.keys()]) this.clear(id)
  }
}
