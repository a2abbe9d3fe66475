/** Service bits a node advertises in `version` and `addr` (BIP 111, 144, 159). */
export const NODE_NETWORK = 1n
export const NODE_BLOOM = 1n << 2n
export const NODE_WITNESS = 1n << 3n
export const NODE_COMPACT_FILTERS = 1n << 6n
export const NODE_NETWORK_LIMITED = 1n << 10n
export const NODE_P2P_V2 = 1n << 11n
