import type { Options } from 'yargs'
import type { ChainParams } from '../chainparams/chainparams.ts'
import { createWinstonLogging } from '../log/winston.ts'
import { logEvents } from '../node/event-log.ts'
import type { NodeEvents } from '../node/events.ts'
import { EventBus, type EventSink } from '../util/event-bus.ts'
import { checkDataDir } from '../store/data-dir.ts'
import { DataDirError } from '../store/errors.ts'
import { NodeStore } from '../store/node-store.ts'
import type { StoreSnapshot } from '../store/node-store.ts'
import { systemClock } from '../util/clock.ts'
import { buildNodeConfig } from './node-config.ts'
import { RUN_FLAGS } from './run-flags.ts'
import { envSettings, type FlagValues } from './config-file.ts'
import { optionSchema } from './run-settings.ts'
import { UsageError } from '../util/errors.ts'

/** The flags that locate a data directory, with the same meaning (and PEERKEEPER_* variables) as for run. */
export const DATADIR_FLAGS = {
  datadir: RUN_FLAGS.datadir,
  network: RUN_FLAGS.network,
  chainparams: RUN_FLAGS.chainparams
} as const satisfies Record<string, Options>

export type DataDirArgs = FlagValues<typeof DATADIR_FLAGS>

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

/** The store's complaint about a data directory path, as a usage error naming the flag. */
export function dataDirUsageError (err: unknown): unknown {
  return err instanceof DataDirError ? new UsageError(`--datadir: ${err.message}`) : err
}

/** Refuses a data directory that can never work (a file, empty, under /proc) before anything reads it. */
export async function checkDataDirFlag (datadir: string): Promise<void> {
  try {
    await checkDataDir(datadir)
  } catch (err) {
    throw dataDirUsageError(err)
  }
}

/**
 * Runs `fn` with an event sink whose warnings (a database moved aside, bans recovered) are logged to
 * stderr. The store's complaints about the path itself become usage errors naming the flag.
 */
async function withStoreEvents<T> (fn: (events: EventSink<NodeEvents>) => Promise<T>): Promise<T> {
  const logging = createWinstonLogging({ debugLevel: 'warn' })
  const events = new EventBus<NodeEvents>()
  logEvents(events, logging)
  try {
    return await fn(events)
  } catch (err) {
    throw dataDirUsageError(err)
  } finally {
    await logging.close()
  }
}

/**
 * Opens the store of the data directory (creating it) for an offline command that changes it, runs
 * `fn`, and closes it. The saved anchors are left for the next `run`.
 */
export async function withDataDirStore<T> (args: DataDirArgs, fn: (store: NodeStore) => Promise<T> | T): Promise<T> {
  const datadir = dataDirFrom(args, process.env)
  return await withStoreEvents(async (events) => {
    const store = await NodeStore.open(datadir, { events, clock: systemClock }, { consumeAnchors: false })
    try {
      return await fn(store)
    } finally {
      await store.close()
    }
  })
}

/** Reads the data directory for an offline command that only looks: nothing is created, moved or written. */
export async function readDataDir (args: DataDirArgs): Promise<StoreSnapshot> {
  const datadir = dataDirFrom(args, process.env)
  return await withStoreEvents(async (events) => await NodeStore.readSnapshot(datadir, { events, clock: systemClock }))
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
