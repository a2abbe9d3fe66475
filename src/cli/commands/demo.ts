import type { Argv, CommandModule } from 'yargs'
import { createWinstonLogging } from '../../log/winston.ts'
import { parseHostPort } from '../../netaddr/netaddress.ts'
import { runDemo } from '../../sim/demo/run-demo.ts'
import { checkStatusBinds, DEFAULT_STATUS_PORT } from '../../status/binds.ts'
import { UsageError } from '../../util/errors.ts'
import { DemoIncompleteError, withFlag } from '../errors.ts'

/** Any free loopback port: two demos can run side by side; the URL is printed. */
const DEMO_STATUS_LISTEN = { host: '127.0.0.1', port: 0 }

/** `peerkeeper demo`: its flags and handler (its name and description are in src/cli/command-table.ts). */
export const demoCommand: CommandModule = {
  builder: (yargs: Argv) => yargs
    .options({
      seed: { type: 'number', default: 1, describe: 'seed of the simulated network\'s random choices' },
      verbose: { type: 'boolean', default: false, describe: 'also print the node\'s own log (to stderr)' },
      linger: { type: 'number', default: 0, describe: 'keep the network, the node and the status page up this many seconds after the story' },
      statuslisten: { type: 'string', describe: 'HOST:PORT where the live status page listens (loopback only)', defaultDescription: '127.0.0.1, any free port' }
    })
    .example('$0 demo', 'a story of a few seconds, ending with the node\'s status line')
    .example('$0 demo --linger 600', 'then watch the node on its status page for ten minutes'),
  handler: async (argv) => {
    const seed = argv.seed as number
    if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer, got ${String(argv.seed)}`)
    const linger = argv.linger as number
    if (!Number.isFinite(linger) || linger < 0) throw new UsageError(`--linger: expected a number of seconds >= 0, got ${String(argv.linger)}`)
    const statusListen = argv.statuslisten === undefined
      ? DEMO_STATUS_LISTEN
      : withFlag('--statuslisten', () => {
        const hp = parseHostPort(String(argv.statuslisten), DEFAULT_STATUS_PORT)
        checkStatusBinds([hp], [])
        return hp
      })
    const inner = argv.verbose === true ? createWinstonLogging({ debugLevel: 'debug', format: 'text' }) : undefined
    const interrupt = new AbortController()
    const onSignal = (): void => { interrupt.abort() }
    process.once('SIGINT', onSignal)
    try {
      const { missing } = await runDemo({
        seed,
        statusListen,
        lingerMs: linger * 1000,
        signal: interrupt.signal,
        ...(inner === undefined ? {} : { inner }),
        out: (line) => { process.stdout.write(`${line}\n`) }
      })
      if (missing.length > 0) throw new DemoIncompleteError(`demo: missing step(s) within the time allowed: ${missing.join(', ')}`)
    } finally {
      process.off('SIGINT', onSignal)
      await inner?.close()
    }
  }
}
