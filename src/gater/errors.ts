import { UsageError } from '../util/errors.ts'

/** A gating setting that cannot be used (an unknown --onlynet network). */
export class GaterConfigError extends UsageError {}
