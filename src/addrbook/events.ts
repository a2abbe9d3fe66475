/** The address book's events (names and fields are the JSON log's; see docs/events.md). */
export interface AddrBookEventMap {
  addrbook_loaded: {
    readonly loaded: number
    readonly skipped: number
    readonly replaced: number
    readonly trustPositions: boolean
    readonly new: number
    readonly tried: number
  }
}
