/**
 * Typed events: a map from event name to payload type. Engines take an EventSink of their own map; the
 * node hands every engine the one EventBus whose map is the union, and subscribers (the log, the demo,
 * metrics, tests) listen on it.
 */
export interface EventSink<E extends object> {
  emit<K extends keyof E & string>(name: K, payload: E[K]): void
}

export type AnyListener<E extends object> = <K extends keyof E & string>(name: K, payload: E[K]) => void

const DROP = { emit: () => {} }

/** A sink that drops everything: the default for an engine used on its own. */
export function nullEventSink<E extends object> (): EventSink<E> {
  return DROP
}

/**
 * A synchronous, typed publish/subscribe channel. Listeners run in subscription order, at the moment
 * of the emit; one that throws is reported to `onListenerError` and never breaks the emitter.
 */
export class EventBus<E extends object> implements EventSink<E> {
  readonly #named = new Map<keyof E, Set<(payload: never) => void>>()
  readonly #any = new Set<AnyListener<E>>()
  readonly #onListenerError: (err: unknown, name: string) => void

  constructor (init: { onListenerError?: (err: unknown, name: string) => void } = {}) {
    this.#onListenerError = init.onListenerError ?? (() => {})
  }

  /** Calls `listener` with every `name` event; returns the unsubscribe function. */
  on<K extends keyof E & string>(name: K, listener: (payload: E[K]) => void): () => void {
    let set = this.#named.get(name)
    if (set === undefined) {
      set = new Set()
      this.#named.set(name, set)
    }
    set.add(listener as (payload: never) => void)
    return () => { set.delete(listener as (payload: never) => void) }
  }

  /** Calls `listener` with every event of any name; returns the unsubscribe function. */
  onAny (listener: AnyListener<E>): () => void {
    this.#any.add(listener)
    return () => { this.#any.delete(listener) }
  }

  emit<K extends keyof E & string>(name: K, payload: E[K]): void {
    const named = this.#named.get(name)
    if (named !== undefined) {
      for (const listener of named) this.#call(name, () => { (listener as (p: E[K]) => void)(payload) })
    }
    for (const listener of this.#any) this.#call(name, () => { listener(name, payload) })
  }

  #call (name: string, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.#onListenerError(err, name)
    }
  }
}
