import { NamedError } from '../util/errors.ts'
/** A rate or capacity out of range (not finite, negative, or a zero capacity); the message names the field. */
export class TokenBucketConfigError extends NamedError {}
