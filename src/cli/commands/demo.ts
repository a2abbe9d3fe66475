import type { Argv, CommandModule } from 'yargs'
import { createWinstonLogging } from '../../log/winston.ts'
import { runDemo } from '../../sim/demo/run-demo.ts'
import { UsageError } from '../../util/errors.ts'
import { DemoIncompleteError } from '../errors.ts'

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'Run the real node against an offline simulated network on 127.0.0.0/8 and tell what happened',
  builder: (yargs: Argv) => yargs
    .options({
      seed: { type: 'number', default: 1, describe: 'seed of the simulated network\'s random choices' },
      verbose: { type: 'boolean', default: false, describe: 'also print the node\'s own log (to stderr)' }
    })
    .example('$0 demo', 'a story of a few seconds, ending with the node\'s status line'),
  handler: async (argv) => {
    const seed = argv.seed as number
    if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer, got ${String(argv.seed)}`)
    const inner = argv.verbose === true ? createWinstonLogging({ debugLevel: 'debug', format: 'text' }) : undefined
    try {
      const { missing } = await runDemo({ seed, ...(inner === undefined ? {} : { inner }), out: (line) => { process.stdout.write(`${line}\n`) } })
      if (missing.length > 0) throw new DemoIncompleteError(`demo: missing step(s) within the time allowed: ${missing.join(', ')}`)
    } finally {
      await inner?.close()
    }
  }
}
