import { UsageError } from '../util/errors.ts'

/** A chainparams file that is missing, unreadable or has a field of the wrong shape. */
export class ChainParamsError extends UsageError {}
