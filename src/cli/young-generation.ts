import { setFlagsFromString } from 'node:v8'

/**
 * V8's young generation for `peerkeeper run`: its two semi-spaces stay at their initial 1 MiB each
 * instead of doubling up to 16 MiB while the modules load. Left to grow, the new space held 15 MiB of
 * resident memory for the first ~20 s of an idle node (until V8's memory reducer shrank it); a node
 * allocates little once running (a few messages per peer per minute), so the smaller space costs it
 * scavenges it does not notice (BENCHMARKS.md, issue 14). The growth factor is the one setting V8 still
 * reads after start-up (--max-semi-space-size is read once, when the heap is made).
 */
const KEEP_INITIAL_SIZE = '--semi-space-growth-factor=1'

/** The V8 flag to set, or undefined when the operator sized the young generation themselves. */
export function youngGenerationFlag (execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  const theirs = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)]
  return theirs.some((a) => /^--((max|min)[-_])?semi[-_]space/.test(a)) ? undefined : KEEP_INITIAL_SIZE
}

/** Sets it for this process; to be called before the command's modules load (they are most of the allocation). */
export function keepYoungGenerationSmall (): void {
  const flag = youngGenerationFlag(process.execArgv, process.env.NODE_OPTIONS)
  if (flag !== undefined) setFlagsFromString(flag)
}
