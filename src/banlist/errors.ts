import { UsageError } from '../util/errors.ts'
/** A ban target or ban option that cannot be used: not an IP/CIDR/onion, a prefix out of range, a bad duration. */
export class BanInputError extends UsageError {}
