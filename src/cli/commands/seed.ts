import type { Argv, CommandModule, InferredOptionTypes } from 'yargs'
import { createNameResolver } from '../../discovery/name-resolver.ts'
import { SEED_TIMEOUT_MS, seedFromDns, type SeedResult } from '../../discovery/seeder.ts'
import { addrKey } from '../../netaddr/netaddress.ts'
import { systemClock } from '../../util/clock.ts'
import { systemRandom } from '../../util/random.ts'
import { NODE_NETWORK, NODE_WITNESS } from '../../wire/services.ts'
import { chainParamsFromFlags, dnsServersFromFlags, DNS_FLAGS, NETWORK_FLAGS, positiveMsFromFlag, PROXY_FLAGS, transportFromFlags } from '../net-options.ts'
import { UsageError } from '../../util/errors.ts'
import { NoSeedAddressesError } from '../errors.ts'

/** Core's default: full nodes with segwit, so filtering seeds are asked for x9. */
const DEFAULT_SEED_SERVICES = NODE_NETWORK | NODE_WITNESS

const SEED_FLAGS = {
  ...NETWORK_FLAGS,
  ...DNS_FLAGS,
  ...PROXY_FLAGS,
  services: { type: 'string', group: 'Seeding:', describe: 'required service bits (hex 0x… or decimal); filtering seeds are asked for x<hex>.<seed>', defaultDescription: '0x9 (NODE_NETWORK|NODE_WITNESS)' },
  timeout: { type: 'number', group: 'Seeding:', describe: 'milliseconds each seed may take', defaultDescription: String(SEED_TIMEOUT_MS) },
  json: { type: 'boolean', group: 'Output:', describe: 'print one JSON document instead of a table' }
} as const

type SeedArgs = InferredOptionTypes<typeof SEED_FLAGS>

function servicesFromFlag (value: string | undefined): bigint {
  if (value === undefined) return DEFAULT_SEED_SERVICES
  if (!/^(0x[0-9a-f]{1,16}|\d{1,20})$/i.test(value.trim())) throw new UsageError(`--services: "${value}" is not a number (expected hex 0x… or decimal)`)
  const services = BigInt(value.trim())
  if (services >= 1n << 64n) throw new UsageError(`--services: "${value}" does not fit in 64 bits`)
  return services
}

function hex (services: bigint): string {
  return `0x${services.toString(16)}`
}

function table (results: SeedResult[]): string {
  const lines: string[] = []
  for (const r of results) {
    const asked = r.queried === r.seed ? '' : `  (asked ${r.queried})`
    if (r.error !== undefined) {
      lines.push(`${r.seed}${asked}  FAILED: ${r.error}`)
      continue
    }
    lines.push(`${r.seed}${asked}  ${r.addrs.length} address${r.addrs.length === 1 ? '' : 'es'}`)
    for (const t of r.addrs) lines.push(`  ${addrKey(t.addr)}`)
  }
  return lines.join('\n')
}

async function seed (argv: SeedArgs): Promise<void> {
  const params = chainParamsFromFlags(argv)
  if (params.dnsSeeds.length === 0) throw new UsageError(`--network: ${params.name} has no DNS seeds`)
  const transport = transportFromFlags(argv)
  const dnsServers = dnsServersFromFlags(argv.dnsserver, transport)
  const requiredServices = servicesFromFlag(argv.services)
  const timeoutMs = positiveMsFromFlag(argv.timeout, 'timeout', SEED_TIMEOUT_MS)
  const components = { clock: systemClock, random: systemRandom }
  const names = createNameResolver(components, { ...transport, dnsServers })
  if (names.fallback !== undefined) process.stderr.write(`peerkeeper: note: ${names.fallback}\n`)
  // Failures are part of the printed result; no events are subscribed to.
  const results = await seedFromDns({ ...components, resolver: names.resolver }, params, { requiredServices, timeoutMs })
  const total = results.reduce((n, r) => n + r.addrs.length, 0)
  if (argv.json === true) {
    process.stdout.write(`${JSON.stringify({
      network: params.name,
      via: names.via,
      services: hex(requiredServices),
      total,
      seeds: results.map((r) => ({
        seed: r.seed,
        queried: r.queried,
        ...(r.error === undefined ? {} : { error: r.error }),
        addresses: r.addrs.map((t) => ({ ...t.addr, services: hex(t.services), time: t.time }))
      }))
    }, null, 2)}\n`)
  } else {
    const answered = results.filter((r) => r.addrs.length > 0).length
    process.stdout.write(`DNS seeds of ${params.name} (${names.via}, services ${hex(requiredServices)}):\n\n${table(results)}\n\n` +
      `${total} address${total === 1 ? '' : 'es'} from ${answered} of ${results.length} seeds\n`)
  }
  if (total === 0) throw new NoSeedAddressesError()
}

/** `peerkeeper seed`: its flags and handler (its name and description are in src/cli/command-table.ts). */
export const seedCommand: CommandModule<object, SeedArgs> = {
  builder: (yargs: Argv) => yargs
    .options(SEED_FLAGS)
    .example('$0 seed', 'mainnet seeds through the system\'s DNS servers')
    .example('$0 seed --network testnet4 --dnsserver 9.9.9.9 --json', 'one JSON document')
    .example('$0 seed --proxy 127.0.0.1:9050', 'resolve the seed names through Tor') as unknown as Argv<SeedArgs>,
  handler: seed
}
