import { UsageError } from '../util/errors.ts'
/**
 * A whitelist or deny entry, or an inbound limit, that cannot be used. Messages name the value but no flag:
 * the CLI (or the config-file reader) adds where the value came from.
 */
export class AdmissionInputError extends UsageError {}
