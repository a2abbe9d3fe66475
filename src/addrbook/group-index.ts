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

  /** A uniformly random group, then a uniformly random entry of it; undefined when empty. */
  pick (randomInt: (n: number) => number): E | undefined {
    if (this.#groups.length === 0) return undefined
    const members = this.#members.get(this.#groups[randomInt(this.#groups.length)] as string)
    return members?.entries[randomInt(members.entries.length)]
  }

  clear (): void {
    this.#groups.length = 0
    this.#members.clear()
    this.#slot.clear()
  }
}
