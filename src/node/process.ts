import type { LoggerFactory } from '../log/logger.ts'
import { createWinstonLogging } from '../log/winston.ts'
import { startAll, stopAll, type Startable } from '../util/startable.ts'
import type { NodeConfig } from './config.ts'
import { createNode, type Node } from './node.ts'

/** Something that runs beside the node (the status page): built before it starts, stopped after it stops. */
export type Companion = (node: Node, logging: LoggerFactory) => Startable | undefined
import { liveSettingsOf, restartOnlyChanges } from './reconfigure.ts'
import type { WinstonLogging } from '../log/winston.ts'
import { routeProcessWarnings } from './warnings.ts'

/** A clean shutdown closes sockets and flushes LevelDB; past this something hangs, and we leave anyway. */
const SHUTDOWN_GRACE_MS = 10_000
/** Exit status when a second signal cuts the shutdown short (128 + SIGINT, as shells report it). */
const EXIT_INTERRUPTED = 130

export interface NodeProcessInit {
  /** Reads the settings again (the config file, the environment, the same flags); throws a one-line error. */
  reload?: () => NodeConfig
  /** Called once the node has started (the CLI then watches for load to give V8 its young-generation growth back). */
  onStarted?: () => void
}

/**
 * What SIGHUP and the RPC `reloadconfig` do: reopen the log file (logrotate), then reread the settings
 * and apply the live ones. A failure is announced (config_reload_failed), the old settings stay, and the
 * error is thrown for the RPC to report; the signal handler swallows it (a throwing handler would take
 * the node down).
 */
async function reloadSettings (node: Node, logging: WinstonLogging, running: NodeConfig, reload: (() => NodeConfig) | undefined): Promise<unknown> {
  try {
    await logging.reopen()
  } catch (err) {
    node.events.emit('config_reload_failed', { error: `cannot reopen the log file: ${(err as Error).message}` })
    throw err
  }
  if (reload === undefined) return { changed: [], dropped: 0 }
  try {
    const next = reload()
    return node.reconfigure(liveSettingsOf(next), { needRestart: restartOnlyChanges(running, next) })
  } catch (err) {
    node.events.emit('config_reload_failed', { error: (err as Error).message })
    throw err
  }
}

/**
 * `peerkeeper run` as an operating-system process: logging to the console (and file), the node, and
 * the signals an operator sends. SIGINT/SIGTERM stop the node cleanly (exit 0); a second one exits at
 * once; SIGUSR1 logs the status line; SIGHUP reloads the settings and reopens the log file. Resolves once
 * the node has stopped and the log is flushed.
 */
export async function runNodeProcess (config: NodeConfig, companions: readonly Companion[] = [], init: NodeProcessInit = {}): Promise<void> {
  const logging = createWinstonLogging({ debugLevel: config.logging.debugLevel, format: config.logging.format, file: config.logging.file })
  const node: Node = createNode(config, { logging, reload: async () => await reloadSettings(node, logging, config, init.reload) })
  const beside = companions.map((c) => c(node, logging)).filter((c): c is Startable => c !== undefined)
  const restoreWarnings = routeProcessWarnings(node.events)
  let onSignal: (signal: NodeJS.Signals) => void = () => {}
  const onStatus = (): void => { node.logStatus() }
  const onHangup = (): void => { reloadSettings(node, logging, config, init.reload).catch(() => { /* announced */ }) }
  try {
    const stopped = new Promise<void>((resolve, reject) => {
      let stopping = false
      // The RPC `stop` stops the node from inside: the process ends as after a signal.
      node.events.on('node_stopped', () => { resolve() })
      onSignal = (signal) => {
        if (stopping) {
          node.events.emit('shutdown_forced', { signal })
          process.exit(EXIT_INTERRUPTED)
        }
        stopping = true
        node.events.emit('shutdown_requested', { signal })
        setTimeout(() => {
          node.events.emit('shutdown_forced', { reason: 'timeout' })
          process.exit(1)
        }, SHUTDOWN_GRACE_MS).unref()
        node.stop().then(resolve, reject)
      }
    })
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    process.on('SIGUSR1', onStatus)
    process.on('SIGHUP', onHangup)
    await startAll(beside)
    await node.start()
    init.onStarted?.()
    await stopped
  } catch (err) {
    await node.stop().catch(() => {})
    throw err
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('SIGUSR1', onStatus)
    process.off('SIGHUP', onHangup)
    await stopAll(beside).catch(() => {})
    restoreWarnings()
    await logging.close()
  }
}
