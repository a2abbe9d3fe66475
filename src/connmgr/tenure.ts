/** An established connection as the rotation and the returns see it: when it came up, and whether it is permanent. */
export interface HeldEntry { readonly sinceMs: number, readonly req: { readonly permanent: boolean } }

/** What a rotation may close: the automatic connection held longest (permanent ones never). */
export function longestHeld<T extends HeldEntry> (entries: Iterable<T>): T | undefined {
  return extremeHeld(entries, (a, b) => a.sinceMs < b.sinceMs)
}

/** What a returning peer displaces: the automatic connection held shortest (its stand-in, among those that did not return). */
export function shortestHeld<T extends HeldEntry> (entries: Iterable<T>): T | undefined {
  return extremeHeld(entries, (a, b) => a.sinceMs > b.sinceMs)
}

function extremeHeld<T extends HeldEntry> (entries: Iterable<T>, before: (a: T, b: T) => boolean): T | undefined {
  let found: T | undefined
  for (const entry of entries) {
    if (!entry.req.permanent && (found === undefined || before(entry, found))) found = entry
  }
  return found
}
