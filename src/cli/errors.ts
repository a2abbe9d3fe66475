import { NamedError, UsageError } from '../util/errors.ts'

export const EXIT_USAGE = 2
export const EXIT_FAILURE = 1

/** The command line itself does not parse (unknown flag, missing value, bad choice): one line naming the flag, exit 2. */
export class CommandLineError extends UsageError {}

/** Every seed failed or answered nothing: the printed result says why, the exit status says so. */
export class NoSeedAddressesError extends NamedError {
  constructor () {
    super('no DNS seed returned an address')
  }
}

/** The demo failed to show a step: exit 1 with the missing steps named. */
export class DemoIncompleteError extends NamedError {}

/**
 * Runs `parse` on the value of `flag`; a UsageError from it (library parsers word theirs without flag
 * names) gets `flag: ` in front, so the line printed says which flag was wrong.
 */
export function withFlag<T> (flag: string, parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof UsageError) err.message = `${flag}: ${err.message}`
    throw err
  }
}
