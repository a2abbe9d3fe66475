import { UsageError } from '../util/errors.ts'

/**
 * An integer flag, given as a number (config file, embedders) or as the text typed on the command line
 * (decimal digits only: no `0x10`, `1e3` or `''`), within [min, max]; a refused one is quoted in a
 * UsageError naming the flag. Absent stays absent.
 */
export function intFlag (value: number | string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`
    throw new UsageError(`--${flag}: expected an integer ${range}, got "${String(value)}"`)
  }
  return n
}
