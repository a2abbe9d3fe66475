import { UsageError } from '../util/errors.ts'

/** The status page's settings cannot be used (an exposed address without an allow list). */
export class StatusConfigError extends UsageError {}
