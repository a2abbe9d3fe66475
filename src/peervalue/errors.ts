import { UsageError } from '../util/errors.ts'

/** A tag, decaying tag, eviction or trimming setting out of range; the message names the field. */
export class PeerValueInputError extends UsageError {}

/** A decaying tag registered twice, or used after close(). */
export class DecayingTagError extends PeerValueInputError {}
