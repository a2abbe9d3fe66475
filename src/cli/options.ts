import type { Options } from 'yargs'
import type { ChainParams } from '../chainparams/chainparams.ts'
import { buildNodeConfig } from '../node/config.ts'
import { createWinstonLogging } from '../log/winston.ts'
import { NodeStore } from '../store/node-store.ts'
import { systemClock } from '../util/clock.ts'
import { RUN_FLAGS } from './commands/run.ts'
import { envSettings } from './config-file.ts'
import { optionSchema } from './run-settings.ts'
import { UsageError } from './errors.ts'

/** The flags that locate a data directory, with the same meaning (and PEERKEEPER_* variables) as for run. */
export const DATADIR_FLAGS = {
  datadir: RUN_FLAGS.datadir,
  network: RUN_FLAGS.network,
  chainparams: RUN_FLAGS.chainparams
} as const satisfies Record<string, Options>

export interface DataDirArgs {
  datadir?: string
  network?: string
  chainparams?: string
}

const RUN_SCHEMA = optionSchema(RUN_FLAGS)

/** The data directory and network `run` would use with these flags and this environment. */
export function dataDirLocation (args: DataDirArgs, env: Readonly<Record<string, string | undefined>>): { datadir: string, params: ChainParams } {
  const fromEnv = envSettings(env, RUN_SCHEMA)
  const pick = (key: keyof DataDirArgs): string | undefined => args[key] ?? (fromEnv[key] as string | undefined)
  const config = buildNodeConfig({ datadir: pick('datadir'), network: pick('network'), chainparams: pick('chainparams') })
  return { datadir: config.datadir, params: config.params }
}

/** The data directory `run` would use with these flags and this environment. */
export function dataDirFrom (args: DataDirArgs, env: Readonly<Record<string, string | undefined>>): string {
  return dataDirLocation(args, env).datadir
}

/**
 * Opens the store of the data directory for an offline command, runs `fn`, and closes it. Warnings
 * (a database moved aside) go to stderr; the saved anchors are left for the next `run`.
 */
export async function withDataDirStore<T> (args: DataDirArgs, fn: (store: NodeStore) => Promise<T> | T): Promise<T> {
  const datadir = dataDirFrom(args, process.env)
  const logging = createWinstonLogging({ debugLevel: 'warn' })
  try {
    const store = await NodeStore.open(datadir, { logger: logging.subsystem('STORE'), clock: systemClock }, { consumeAnchors: false })
    try {
      return await fn(store)
    } finally {
      await store.close()
    }
  } finally {
    await logging.close()
  }
}

/** A non-negative integer flag (taken as text so the error can quote it), or a UsageError naming it. */
export function countFlag (value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d{1,15}$/.test(value.trim())) throw new UsageError(`${flag}: "${value}" is not a whole number >= 0`)
  return Number(value.trim())
}

/** Milliseconds since the epoch as an ISO time to the second. */
export function isoTime (ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
