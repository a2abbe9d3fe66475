import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import yargs from 'yargs'
import { prepareArgv } from '../../src/cli/argv.ts'
import { chosenCommand } from '../../src/cli/command-table.ts'
import { runCommand } from '../../src/cli/commands/run.ts'
import { parseQuickly } from '../../src/cli/quick-parse.ts'
import { RUN_FLAGS } from '../../src/cli/run-flags.ts'

// `peerkeeper run` parsed without yargs must hand its handler what yargs' command path would, or step aside.

const RUN = chosenCommand(['run'])
const BOOLEANS = new Set([...Object.entries(RUN_FLAGS).filter(([, o]) => (o as { type?: string }).type === 'boolean').map(([k]) => k), 'json'])

/** The command line as main() hands it to both paths. */
const prepared = (tokens: readonly string[]): string[] => prepareArgv(['run', ...tokens], BOOLEANS)

async function quick (tokens: readonly string[]): Promise<Record<string, unknown> | undefined> {
  if (RUN === undefined) throw new Error('no run command')
  return await parseQuickly(RUN, runCommand, prepared(tokens))
}

/** yargs' full command path, configured as main() configures it: the handler's arguments, or the failure. */
async function viaYargs (tokens: readonly string[]): Promise<{ argv?: Record<string, unknown>, error?: string }> {
  let argv: Record<string, unknown> | undefined
  const cli = yargs(prepared(tokens)).scriptName('peerkeeper')
    .command('run', 'run', runCommand.builder as (y: ReturnType<typeof yargs>) => ReturnType<typeof yargs>, (a) => { argv = a })
    .strict().help().version('0').exitProcess(false)
    .fail((message, err) => { throw new Error(err?.message ?? message) })
  try {
    await cli.parseAsync()
    return { argv }
  } catch (err) {
    return { error: (err as Error).message }
  }
}

const flagsOf = (argv: Record<string, unknown> | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.keys(RUN_FLAGS).flatMap((k) => argv?.[k] === undefined ? [] : [[k, argv[k]]]))

const VALUES = ['8', '0', '-1', '0x10', '127.0.0.1:8333', 'node.example.org', 'a b', 'info,CMGR=debug', '1h', 'unlimited', '']
const flagTokens: fc.Arbitrary<string[]> = fc.constantFrom(...Object.keys(RUN_FLAGS)).chain((name) => {
  const o = RUN_FLAGS[name as keyof typeof RUN_FLAGS] as { type?: string, array?: boolean, choices?: readonly string[] }
  if (o.type === 'boolean') return fc.constantFrom([`--${name}`], [`--${name}=true`], [`--${name}=false`], [`--no-${name}`])
  const value = o.choices === undefined ? fc.constantFrom(...VALUES) : fc.constantFrom(...o.choices, 'yaml')
  return fc.tuple(value, fc.boolean()).map(([v, joined]) => joined ? [`--${name}=${v}`] : [`--${name}`, v])
})
const oddTokens = fc.constantFrom(['--nosuchflag'], ['stray'], ['--listen'], ['-a', 'host:1'], ['-a'], ['--', 'x'], ['--help'], ['--version'], ['-x'])

describe('parseQuickly (run without yargs)', () => {
  it('hands the handler exactly the flags yargs\' command path hands it, or steps aside; never accepts what yargs refuses', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof({ weight: 6, arbitrary: flagTokens }, { weight: 1, arbitrary: oddTokens }), { maxLength: 6 }), async (parts) => {
      const tokens = parts.flat()
      const [fast, full] = await Promise.all([quick(tokens), viaYargs(tokens)])
      if (fast === undefined) return
      expect(full.error).toBeUndefined()
      expect(flagsOf(fast)).toEqual(flagsOf(full.argv))
      expect(fast._).toEqual(['run'])
    }), { numRuns: 150, seed: 14 })
  })

  it('takes ordinary command lines itself', async () => {
    for (const tokens of [[], ['--nolisten', '--nodnsseed', '--connect', '127.0.0.2', '--connect', '127.0.0.3:8333'], ['-a', 'node.example.org', '--targetoutbound', '4', '--logformat', 'json'], ['--debuglevel=info,CMGR=debug', '--banduration', '-1h']]) {
      const fast = await quick(tokens)
      expect(fast, tokens.join(' ')).toBeDefined()
      expect(flagsOf(fast)).toEqual(flagsOf((await viaYargs(tokens)).argv))
    }
  })

  it('steps aside for help, version, unknown flags, missing values, bad choices and stray words', async () => {
    for (const tokens of [['--help'], ['-h'], ['--version'], ['--nosuchflag'], ['--listen'], ['--logformat', 'yaml'], ['stray'], ['--', 'x'], ['-a']]) {
      expect(await quick(tokens), tokens.join(' ')).toBeUndefined()
    }
  })
})
