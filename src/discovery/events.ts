/** DNS seeding's events (names and fields are the JSON log's; see docs/events.md). */
export interface SeederEventMap {
  /** A seed answered: `answered` records, `count` addresses kept. */
  seed_answered: { readonly seed: string, readonly queried: string, readonly count: number, readonly answered: number }
  seed_failed: { readonly seed: string, readonly queried: string, readonly reason: string }
  /** A seed entry is itself an address and is used without a lookup. */
  seed_literal: { readonly seed: string }
}
