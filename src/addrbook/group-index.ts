/**
 * One table's entries by network group, so that a pick can take a group uniformly at random and then an
 * entry of that group, each in O(1): groups and members live in arrays with swap-removal.
 */
export class GroupIndex<E extends { readonly group: string }> {
  readonly #groups: string[] = []
  readonly #members = new Map<string, { at: number, entries: E[] }>()
  readonly #slot = new Map<E, number>()

  get groupCount (): number { return this.#groups.length }

  add (entry: E): void {
    if (this.#slot.has(entry)) return
    let members = this.#members.get(entry.group)
    if (members === undefined) {
      members = { at: this.#groups.length, entries: [] }
      this.#groups.push(entry.group)
      this.#members.set(entry.group, members)
    }
    this.#slot.set(entry, members.entries.length)
    members.entries.push(entry)
  }

  delete (entry: E): void {
    const at = this.#slot.get(entry)
    const members = this.#members.get(entry.group)
    if (at === undefined || members === undefined) return
    this.#slot.delete(entry)
    const last = members.entries.pop() as E
    if (last !== entry) {
      members.entries[at] = last
      this.#slot.set(last, at)
    }
    if (members.entries.length > 0) return
    this.#members.delete(entry.group)
    const lastGroup = this.#groups.pop() as string
    if (lastGroup === entry.group) return
    this.#groups[members.at] = lastGroup
    const moved = this.#members.get(lastGroup)
    if (moved !== undefined) moved.at = members.at
  }

  /** A uniformly random group; undefined when empty. */
  pickGroup (randomInt: (n: number) => number): string | undefined {
    return this.#groups.length === 0 ? undefined : this.#groups[randomInt(this.#groups.length)]
  }

  /** How many entries `group` holds here. */
  countIn (group: string): number {
    return this.#members.get(group)?.entries.length ?? 0
  }

  /** A uniformly random entry of `group`; undefined if it holds none here. */
  pickIn (group: string, randomInt: (n: number) => number): E | undefined {
    const entries = this.#members.get(group)?.entries
    return entries === undefined ? undefined : entries[randomInt(entries.length)]
  }

  clear (): void {
    this.#groups.length = 0
    this.#members.clear()
    this.#slot.clear()
  }
}
