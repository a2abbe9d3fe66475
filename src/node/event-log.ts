import type { LoggerFactory, LogLevel, Subsystem } from '../log/logger.ts'
import type { EventBus } from '../util/event-bus.ts'
import type { NodeEvents, NodeEventName } from './events.ts'
import { named } from '../store/ban-reconcile.ts'
import { formatStatus } from './status.ts'

interface EventFormat<P> {
  readonly subsystem: Subsystem
  /** @default 'info' */
  readonly level?: LogLevel | ((payload: P) => LogLevel)
  /** The human-readable message; the JSON record carries the payload's fields beside it. */
  readonly message: (payload: P) => string
}

const req = (p: { addr: string | undefined, id: number }): string => p.addr === undefined ? `reqid ${p.id}` : `${p.addr} (reqid ${p.id})`
const seconds = (ms: number): string => `${ms / 1000} s`

function bansRecoveredMessage (p: NodeEvents['store_bans_recovered']): string {
  const what = [
    p.recovered.length > 0 ? `restored ${p.recovered.length} (${named(p.recovered)})` : '',
    p.dropped.length > 0 ? `lifted ${p.dropped.length} that had been lifted since (${named(p.dropped)})` : ''
  ].filter((s) => s !== '').join('; ')
  const why = p.outcome === 'union'
    ? `${p.path} and ${p.file} disagree at the same generation; kept the union`
    : `${p.path} had lost ban changes that ${p.file} kept (generation ${p.generation}, the database had ${p.dbGeneration})`
  return `${why}: ${what}`
}

function rejectionsMessage (p: NodeEvents['inbound_rejections']): string {
  const held = Object.entries(p.heldBackByReason).map(([reason, n]) => `${reason} ${String(n)}`).join(', ')
  const tail = p.heldBack === 0 ? '' : `; ${p.heldBack} more since the last line (${held})`
  return p.addr === undefined
    ? `${p.heldBack} inbound connections rejected since the last line (${held}); rejected=${p.rejected}`
    : `Inbound connection rejected (${p.reason ?? '?'}): rejected=${p.rejected} remote=${p.addr}${tail}`
}

function reloadedMessage (p: NodeEvents['config_reloaded']): string {
  const changed = p.changed.length === 0 ? 'nothing changed' : `changed ${p.changed.join(', ')}`
  const dropped = p.dropped === 0 ? '' : `; closed ${p.dropped} connections now denied`
  const restart = p.needRestart.length === 0 ? '' : `; ${p.needRestart.join(', ')} changed too but take effect only after a restart`
  return `configuration reloaded: ${changed}${dropped}${restart}`
}

/**
 * How each event is written to the log: its subsystem, level and message. One entry per event name, so
 * adding an event to NodeEvents without saying how it is logged does not compile; docs/events.md is
 * checked against these names by a test.
 */
export const EVENT_LOG_FORMATS: { readonly [K in NodeEventName]: EventFormat<NodeEvents[K]> } = {
  node_started: { subsystem: 'NODE', message: (p) => `node started on ${p.network}: target ${p.targetOutbound} outbound, ${p.permanent} permanent, ${p.listen.length} listeners` },
  status: { subsystem: 'NODE', message: formatStatus },
  node_stopped: { subsystem: 'NODE', message: () => 'node stopped; address book and bans saved' },
  anchors_saved: { subsystem: 'NODE', level: (p) => p.reason === 'stop' ? 'info' : 'debug', message: (p) => `saved ${p.count} anchors for the next start` },
  anchor_dial: { subsystem: 'NODE', message: (p) => `dialing anchor ${p.addr} (connected at the last shutdown)` },
  transport_fallback: { subsystem: 'PEER', message: (p) => `${p.addr}: closed on our v2 key without a reply; retrying with v1 (remembered)` },
  self_advertised: { subsystem: 'NODE', level: 'debug', message: (p) => `told ${p.addr} our address ${p.advertised}` },
  feeler_started: { subsystem: 'NODE', level: 'debug', message: (p) => `feeler to ${p.addr} (${p.target === 'collision' ? 'testing a tried-slot occupant' : 'testing a new address'})` },
  feeler_finished: { subsystem: 'NODE', level: 'debug', message: (p) => `feeler to ${p.addr} ${p.ok ? 'answered: marked good' : `failed: ${p.reason}`}` },
  inbound_connected: { subsystem: 'NODE', message: (p) => `inbound peer ${p.addr} connected` },
  inbound_disconnected: { subsystem: 'NODE', message: (p) => `inbound peer ${p.addr} disconnected: ${p.reason}` },
  peer_evicted: { subsystem: 'NODE', message: (p) => `evicted inbound ${p.addr} (group ${p.group}, ${p.groupSize} unprotected there) to make room for ${p.newcomer}` },
  peer_trimmed: {
    subsystem: 'NODE',
    message: (p) => `trimmed ${p.direction} ${p.addr} (value ${p.value}): ${p.reason === 'overload' ? `event loop delay ${p.eventLoopDelayMs} ms` : `${p.connections} connections at the high water mark`}`
  },
  ban_recorded: { subsystem: 'NODE', message: (p) => `${p.target} banned until ${new Date(p.expiresMs).toISOString()} (${p.reason})` },
  bans_saved: { subsystem: 'NODE', level: 'debug', message: (p) => `bans saved (${p.count} in force)` },
  seeding_started: { subsystem: 'NODE', message: (p) => `asking for addresses (${p.reason.replace('_', ' ')})` },
  dns_seeded: { subsystem: 'NODE', message: (p) => `DNS seeding: ${p.offered} addresses from ${p.seeds - p.failed} of ${p.seeds} seeds, ${p.added} new` },
  seeding_failed: {
    subsystem: 'NODE',
    level: 'warn',
    message: (p) => `DNS seeding: ${p.failed} of ${p.seeds} seeds failed (${p.reasons.map((r) => `${r.seeds.join(', ')}: ${r.reason}`).join('; ')})`
  },
  no_peers: {
    subsystem: 'NODE',
    level: 'warn',
    message: (p) => `no outbound peer ${seconds(p.sinceStartMs)} after start (${p.seeding}); check the network (${p.network}), ` +
      `--connect/--addpeer peers, --dnsserver and --proxy; next reminder in ${seconds(p.nextWarningMs)}`
  },
  seednode_fetched: { subsystem: 'NODE', message: (p) => `seed node ${p.addr} gave ${p.count} addresses` },
  seednode_failed: { subsystem: 'NODE', level: 'warn', message: (p) => `seed node ${p.addr} failed: ${p.reason}` },
  permanent_unresolved: { subsystem: 'NODE', level: 'warn', message: (p) => `cannot resolve permanent peer ${p.addr}: ${p.reason}; trying again in ${seconds(p.retryMs)}` },
  permanent_refused: { subsystem: 'NODE', level: 'warn', message: (p) => `permanent peer ${p.addr}: ${p.reason}` },
  config_reloaded: { subsystem: 'NODE', message: reloadedMessage },
  config_reload_failed: { subsystem: 'NODE', level: 'error', message: (p) => `configuration not reloaded, the old settings stay: ${p.error}` },
  shutdown_requested: { subsystem: 'NODE', message: (p) => `${p.signal} received: shutting down` },
  shutdown_forced: {
    subsystem: 'NODE',
    level: (p) => 'signal' in p ? 'warn' : 'error',
    message: (p) => 'signal' in p ? `second ${p.signal}: exiting without a clean shutdown` : 'shutdown took too long: exiting'
  },
  process_warning: { subsystem: 'NODE', level: 'warn', message: (p) => `Node warning ${p.code ?? p.name}: ${p.message}` },
  outbound_connected: { subsystem: 'CMGR', message: (p) => `Connected to ${req(p)}` },
  outbound_disconnected: { subsystem: 'CMGR', message: (p) => `Disconnected from ${req(p)} (${p.reason})` },
  retry_scheduled: { subsystem: 'CMGR', message: (p) => `Retrying connection to ${req(p)} in ${p.delayMs} ms${p.returning === true ? ' (it left; its slot is kept for it)' : ''}` },
  dial_failed: { subsystem: 'CMGR', message: (p) => `Failed to connect to ${req(p)}: ${p.reason}` },
  connect_refused: { subsystem: 'CMGR', level: 'warn', message: (p) => `Refusing connection to ${p.addr ?? '?'}: already in use by reqid ${p.holder}` },
  address_unavailable: { subsystem: 'CMGR', level: 'debug', message: (p) => `No usable address for reqid ${p.id}: ${p.error}` },
  outbound_throttled: { subsystem: 'CMGR', level: 'debug', message: (p) => `Replacing reqid ${p.id} in ${p.delayMs} ms (${p.failedAttempts} failures in a row)` },
  dial_staggered: { subsystem: 'CMGR', level: 'debug', message: (p) => `${req(p)} still dialing; starting another` },
  request_canceled: { subsystem: 'CMGR', level: 'debug', message: (p) => `Canceling ${req(p)} (${p.reason})` },
  inbound_rejected: { subsystem: 'CMGR', level: 'trace', message: (p) => `Inbound connection rejected (${p.reason}${p.detail === undefined ? '' : `: ${p.detail}`}): remote=${p.addr}` },
  inbound_rejections: { subsystem: 'CMGR', level: 'warn', message: rejectionsMessage },
  accept_failed: { subsystem: 'CMGR', level: 'error', message: (p) => `Can't accept connection: ${p.reason}; pausing ${p.delayMs} ms` },
  seed_answered: { subsystem: 'SEED', message: (p) => `DNS seed ${p.seed} returned ${p.count} addresses` },
  seed_failed: { subsystem: 'SEED', level: 'debug', message: (p) => `DNS seed ${p.seed} failed: ${p.reason}` },
  seed_literal: { subsystem: 'SEED', level: 'debug', message: (p) => `seed ${p.seed} is an address; using it directly` },
  store_opened: { subsystem: 'STORE', message: (p) => `opened ${p.path}: ${p.addrRecords} addresses, ${p.bans} bans, ${p.anchors} anchors` },
  store_moved_aside: { subsystem: 'STORE', level: 'warn', message: (p) => `database ${p.path} cannot be used (${p.reason}); moved it to ${p.movedTo} and started a new one` },
  store_write_failed: { subsystem: 'STORE', level: 'error', message: (p) => `could not write ${p.what} to ${p.path}: ${p.error}` },
  store_ban_file_damaged: {
    subsystem: 'STORE',
    level: 'warn',
    message: (p) => `${p.path} cannot be used (${p.reason})${p.movedTo === undefined ? '' : `; moved it to ${p.movedTo}`}; the ${p.kept} bans in ${p.database} are kept`
  },
  store_bans_recovered: { subsystem: 'STORE', level: 'warn', message: bansRecoveredMessage },
  addrbook_flushed: { subsystem: 'STORE', level: 'debug', message: (p) => `flushed ${p.put + p.del} address-book changes in ${p.durationMs} ms` },
  addrbook_flush_failed: { subsystem: 'STORE', level: 'error', message: (p) => `could not write ${p.put + p.del} address-book changes (kept for the next flush): ${p.error}` },
  addrbook_loaded: { subsystem: 'ADDR', message: (p) => `loaded ${p.loaded} addresses (${p.skipped} skipped, ${p.replaced} re-placed)` },
  peer_handshake: { subsystem: 'PEER', message: (p) => `${p.addr}: handshake done (${p.direction}, ${p.transport}, ${p.userAgent}, version ${p.version})` },
  peer_refused: { subsystem: 'PEER', message: (p) => `${p.addr}: refused: ${p.detail}` },
  peer_misbehaving: { subsystem: 'PEER', level: 'warn', message: (p) => `${p.addr}: ${p.reason}; ban score now ${p.score}` },
  peer_banned: { subsystem: 'PEER', level: 'warn', message: (p) => `${p.addr}: banned (${p.reason}, score ${p.score})` },
  peer_not_banned: { subsystem: 'PEER', level: 'warn', message: (p) => `${p.addr}: score ${p.score} reached the ban threshold; disconnected, not banned (${p.exempt})` },
  peer_disconnected: { subsystem: 'PEER', message: (p) => `${p.addr}: disconnected: ${p.reason}` },
  peer_rate_limited: { subsystem: 'PEER', level: 'warn', message: (p) => `${p.addr}: over its ${p.reason === 'message-rate' ? 'message' : 'byte'} limit (${p.ratePerSecond}/s, burst ${p.burst})` }
}

/** The names of every node event (the keys of NodeEvents, known at run time). */
export const NODE_EVENT_NAMES = Object.keys(EVENT_LOG_FORMATS) as NodeEventName[]

/**
 * Subscribes the log to the bus: each event becomes one record at its subsystem and level, with the
 * event's name in `event` and its payload's fields beside the message. Returns the unsubscribe function.
 */
export function logEvents (bus: EventBus<NodeEvents>, logging: LoggerFactory): () => void {
  const loggers = new Map<Subsystem, ReturnType<LoggerFactory['subsystem']>>()
  return bus.onAny((name, payload) => {
    const format = EVENT_LOG_FORMATS[name] as EventFormat<typeof payload> | undefined
    if (format === undefined) return
    let logger = loggers.get(format.subsystem)
    if (logger === undefined) loggers.set(format.subsystem, logger = logging.subsystem(format.subsystem))
    const level = levelOf(format, payload)
    // A flood's trace-level events (inbound_rejected) are not written: their messages are not built either.
    if (logger.enabled?.(level) === false) return
    logger.event(name, { ...payload }, format.message(payload), level)
  })
}

/** How one event is logged: its subsystem, level and message (the log and the status page share this). */
export function describeEvent<K extends NodeEventName> (name: K, payload: NodeEvents[K]): { subsystem: Subsystem, level: LogLevel, message: string } | undefined {
  const format = EVENT_LOG_FORMATS[name] as EventFormat<typeof payload> | undefined
  if (format === undefined) return undefined
  return { subsystem: format.subsystem, level: levelOf(format, payload), message: format.message(payload) }
}

function levelOf<P> (format: EventFormat<P>, payload: P): LogLevel {
  return typeof format.level === 'function' ? format.level(payload) : format.level ?? 'info'
}
