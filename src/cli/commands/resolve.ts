import type { Argv, CommandModule, InferredOptionTypes } from 'yargs'
import { TOR_RESOLVE_TIMEOUT_MS, torLookupIP } from '../../discovery/tor-resolve.ts'
import { proxyCredentials } from '../../transport/socks-dialer.ts'
import { systemClock } from '../../util/clock.ts'
import { positiveMsFromFlag, PROXY_FLAGS, transportFromFlags } from '../net-options.ts'
import { UsageError } from '../../util/errors.ts'

const RESOLVE_FLAGS = {
  ...PROXY_FLAGS,
  timeout: { type: 'number', describe: 'milliseconds to wait for Tor', defaultDescription: String(TOR_RESOLVE_TIMEOUT_MS) }
} as const

type ResolveArgs = InferredOptionTypes<typeof RESOLVE_FLAGS> & { host: string }

async function resolve (argv: ResolveArgs): Promise<void> {
  const { proxy, proxyUser, proxyPass } = transportFromFlags(argv)
  if (proxy === undefined) throw new UsageError('--proxy is required: resolve asks Tor (SOCKS5 RESOLVE), never clear DNS')
  const timeoutMs = positiveMsFromFlag(argv.timeout, 'timeout', TOR_RESOLVE_TIMEOUT_MS)
  const credentials = proxyCredentials(proxyUser, proxyPass)
  const addresses = await torLookupIP(argv.host, proxy, { clock: systemClock, timeoutMs, ...(credentials === undefined ? {} : { credentials }) })
  process.stdout.write(`${addresses.join('\n')}\n`)
}

/** `peerkeeper resolve`: its flags and handler (its name and description are in src/cli/command-table.ts). */
export const resolveCommand: CommandModule<object, ResolveArgs> = {
  builder: (yargs: Argv) => yargs
    .positional('host', { type: 'string', describe: 'the name to resolve' })
    .options(RESOLVE_FLAGS)
    .example('$0 resolve seed.bitcoin.sipa.be --proxy 127.0.0.1:9050', 'one address, looked up by Tor') as unknown as Argv<ResolveArgs>,
  handler: resolve
}
