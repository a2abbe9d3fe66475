/** Promises a component started and must see settled before its stop() resolves (dials, seeding rounds). */
export class WorkSet {
  readonly #work = new Set<Promise<unknown>>()

  get size (): number {
    return this.#work.size
  }

  /** Tracks `work` until it settles; a rejection is the caller's to handle, it is only forgotten here. */
  add (work: Promise<unknown>): void {
    this.#work.add(work)
    const forget = (): void => { this.#work.delete(work) }
    work.then(forget, forget)
  }

  /** Resolves once every tracked promise has settled, including any added while waiting. */
  async settled (): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work])
  }
}
