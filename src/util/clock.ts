/**
 * All time in peerkeeper flows through a Clock so that timing logic can be driven by fake timers in tests.
 * The system clock looks the globals up at call time (not at import time) so vitest's fake timers reach it.
 */
export type TimerHandle = ReturnType<typeof setTimeout>

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
  setInterval(fn: () => void, ms: number): TimerHandle
  clearInterval(handle: TimerHandle): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => { clearTimeout(handle) },
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => { clearInterval(handle) }
}

/** Whole Unix seconds: the granularity of Bitcoin timestamps and of the ban score. */
export function unixSeconds (clock: Clock): number {
  return Math.floor(clock.now() / 1000)
}

/**
 * An AbortSignal that fires after `ms` on the given clock (AbortSignal.timeout ignores fake timers).
 * `clear()` releases the timer once the guarded operation is over.
 */
export function clockTimeoutSignal (clock: Clock, ms: number, reason: () => Error): { signal: AbortSignal, clear: () => void } {
  const controller = new AbortController()
  const handle = clock.setTimeout(() => { controller.abort(reason()) }, ms)
  return { signal: controller.signal, clear: () => { clock.clearTimeout(handle) } }
}

/** A signal that aborts when any of the inputs aborts; `clear()` detaches its listeners. */
export function anySignal (signals: Array<AbortSignal | undefined>): { signal: AbortSignal, clear: () => void } {
  const controller = new AbortController()
  const live = signals.filter((s): s is AbortSignal => s !== undefined)
  const onAbort = (event: Event): void => {
    controller.abort((event.target as AbortSignal).reason)
    clear()
  }
  const clear = (): void => { for (const s of live) s.removeEventListener('abort', onAbort) }
  for (const s of live) {
    if (s.aborted) {
      controller.abort(s.reason)
      clear()
      break
    }
    s.addEventListener('abort', onAbort, { once: true })
  }
  return { signal: controller.signal, clear }
}

/**
 * Child signals of one parent through a single listener on it: many concurrent operations under one
 * shutdown signal would otherwise add a listener each (past 10, Node warns MaxListenersExceededWarning).
 * `release()` detaches from the parent once the operations are over.
 */
export function abortFanout (parent: AbortSignal | undefined): { child: () => AbortSignal, release: () => void } {
  const children = new Set<AbortController>()
  const onAbort = (): void => {
    for (const c of children) c.abort(parent?.reason)
    children.clear()
  }
  parent?.addEventListener('abort', onAbort, { once: true })
  return {
    child: () => {
      const controller = new AbortController()
      if (parent?.aborted === true) controller.abort(parent.reason)
      else children.add(controller)
      return controller.signal
    },
    release: () => {
      parent?.removeEventListener('abort', onAbort)
      children.clear()
    }
  }
}
