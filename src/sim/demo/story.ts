import type { LifecycleRecord } from './event-tap.ts'

/** The beats the demo waits for; each becomes true once the node's events show it. */
export const DEMO_FACTS = ['seeded', 'target-reached', 'permanent-down', 'permanent-retry', 'permanent-reconnected', 'banned'] as const
export type DemoFact = (typeof DEMO_FACTS)[number]

/** Who is who on the simulated network, so the story can say what kind of peer an address was. */
export interface DemoCast {
  readonly targetOutbound: number
  /** addrKey of the permanent (--addpeer) peer. */
  readonly permanent: string
  /** The sim profile behind an addrKey (live, refusing, silent, misbehaving, …). */
  role(addrKey: string): string | undefined
}

/**
 * Turns the node's lifecycle records into a short readable story, one line per step that matters
 * (seeding, each outbound slot filled or lost, the permanent peer's disconnect/retry/reconnect, bans),
 * and keeps score of the facts the demo waits for. Pure: no IO, time comes with the records.
 */
export class DemoStory {
  readonly facts = new Set<DemoFact>()
  private readonly cast: DemoCast
  private readonly startMs: number
  private automatic = 0
  private permanentUps = 0
  private permanentRetries = 0
  private readonly failedDials = new Map<string, number>()

  constructor (cast: DemoCast, startMs: number) {
    this.cast = cast
    this.startMs = startMs
  }

  /** Automatic outbound connections up, as the events tell it. */
  get outbound (): number {
    return this.automatic
  }

  /** The story lines for one record (often none). */
  observe (record: LifecycleRecord): string[] {
    const text = this.narrate(record)
    return text === undefined ? [] : [this.line(record.atMs, text)]
  }

  /** A line for something the demo itself did (stopping a host, …). */
  note (atMs: number, text: string): string {
    return this.line(atMs, `demo: ${text}`)
  }

  /** Failed dials by the kind of peer dialed: what the node shrugged off on the way. */
  failedDialSummary (): string {
    const parts = [...this.failedDials].sort(([a], [b]) => a.localeCompare(b)).map(([role, n]) => `${n} to ${role} peers`)
    return parts.length === 0 ? 'no failed dials' : `failed dials: ${parts.join(', ')}`
  }

  private narrate (r: LifecycleRecord): string | undefined {
    const f = r.fields
    const addr = typeof f.addr === 'string' ? f.addr : undefined
    const who = addr === undefined ? 'a peer' : this.describe(addr)
    switch (r.event) {
      case 'node_started':
        return `node started (network ${String(f.network)}, target ${this.cast.targetOutbound} outbound, permanent peer ${this.cast.permanent})`
      case 'seeding_started':
        return `seeding the address book (${String(f.reason).replaceAll('_', ' ')})`
      case 'seed_answered':
        if (Number(f.count) > 0) this.facts.add('seeded')
        return `DNS seed ${String(f.seed)} answered ${String(f.count)} addresses`
      case 'seed_failed':
        return `DNS seed ${String(f.seed)} failed: ${String(f.reason)}`
      case 'outbound_connected':
        return f.permanent === true ? this.permanentUp(who) : this.automaticUp(who)
      case 'outbound_disconnected':
        if (f.permanent === true) {
          this.facts.add('permanent-down')
          return `permanent peer ${who} disconnected (${String(f.reason)})`
        }
        this.automatic = Math.max(0, this.automatic - 1)
        return `outbound ${this.automatic}/${this.cast.targetOutbound}: lost ${who} (${String(f.reason)})`
      case 'retry_scheduled':
        if (f.permanent !== true) return undefined
        this.facts.add('permanent-retry')
        this.permanentRetries++
        return `permanent peer: retry #${String(f.retryCount)} in ${seconds(Number(f.delayMs))}`
      case 'dial_failed':
        this.failedDials.set(this.role(addr), (this.failedDials.get(this.role(addr)) ?? 0) + 1)
        return undefined
      case 'peer_banned':
        this.facts.add('banned')
        return `banned ${who}: ${String(f.reason)} (ban score ${String(f.score)})`
      default:
        return undefined
    }
  }

  private automaticUp (who: string): string {
    this.automatic++
    const text = `outbound ${this.automatic}/${this.cast.targetOutbound}: ${who} (handshake done)`
    if (this.automatic < this.cast.targetOutbound) return text
    const again = this.facts.has('target-reached')
    this.facts.add('target-reached')
    return `${text}: target reached${again ? ' again' : ''}`
  }

  private permanentUp (who: string): string {
    this.permanentUps++
    if (this.permanentUps === 1) return `permanent peer ${who} connected`
    this.facts.add('permanent-reconnected')
    return `permanent peer ${who} reconnected (after ${this.permanentRetries} scheduled ${this.permanentRetries === 1 ? 'retry' : 'retries'})`
  }

  private role (addr: string | undefined): string {
    return (addr === undefined ? undefined : this.cast.role(addr)) ?? 'unknown'
  }

  private describe (addr: string): string {
    return `${addr} [${this.role(addr)}]`
  }

  private line (atMs: number, text: string): string {
    return `${seconds(atMs - this.startMs).padStart(7)}  ${text}`
  }
}

function seconds (ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`
}
