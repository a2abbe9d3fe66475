import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import type { HandshakeInfo } from '../peer/types.ts'
import type { Direction } from '../peer/handshake-policy.ts'
import { CONNECTION_KINDS, type ConnectionCounts, type ConnectionInfo, type ConnectionKind, type Session } from './types.ts'

interface Entry<S extends Session> extends ConnectionInfo<S> {
  handshake: HandshakeInfo | undefined
  handshakeAtMs: number | undefined
  readonly tags: Map<string, number>
}

interface MutableCounts { total: number, established: number }

export interface RegisterInit<S extends Session> {
  /** An id from nextId(); one is drawn when absent. */
  readonly id?: number
  readonly kind: ConnectionKind
  readonly addr: NetAddress
  readonly group: string
  readonly nowMs: number
  readonly session: S
}

function bump (map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by
  if (next === 0) map.delete(key)
  else map.set(key, next)
}

/**
 * Every live connection of the node (outbound automatic and permanent, inbound, address-fetch) from the
 * moment its socket connects until it closes, under one id space. Counts are kept as connections come,
 * finish their handshake and go, so every question (outbound up, inbound from one IP or group) is a
 * lookup: admission asks on every accepted socket.
 */
export class ConnectionRegistry<S extends Session = Session> {
  readonly #byId = new Map<number, Entry<S>>()
  readonly #byKind = new Map<ConnectionKind, MutableCounts>(CONNECTION_KINDS.map((k) => [k, { total: 0, established: 0 }]))
  readonly #inboundByHost = new Map<string, number>()
  readonly #inboundByGroup = new Map<string, number>()
  /** Handshaken outbound connections (automatic and permanent) per group. */
  readonly #outboundGroups = new Map<string, number>()
  #lastId = 0

  /** A fresh id in the node's one id space. */
  readonly nextId = (): number => ++this.#lastId

  get size (): number {
    return this.#byId.size
  }

  add (init: RegisterInit<S>): ConnectionInfo<S> {
    const id = init.id ?? this.nextId()
    if (this.#byId.has(id)) throw new Error(`connection id ${id} is already registered`)
    const direction: Direction = init.kind === 'inbound' ? 'inbound' : 'outbound'
    const entry: Entry<S> = {
      id,
      direction,
      kind: init.kind,
      addr: init.addr,
      key: addrKey(init.addr),
      group: init.group,
      connectedAtMs: init.nowMs,
      handshake: undefined,
      handshakeAtMs: undefined,
      tags: new Map(),
      session: init.session
    }
    this.#byId.set(id, entry)
    this.#counts(entry.kind).total++
    if (direction === 'inbound') {
      bump(this.#inboundByHost, entry.addr.host, 1)
      bump(this.#inboundByGroup, entry.group, 1)
    }
    return entry
  }

  /** The handshake of `id` finished (once; later calls are ignored). */
  established (id: number, info: HandshakeInfo, nowMs: number): void {
    const entry = this.#byId.get(id)
    if (entry === undefined || entry.handshake !== undefined) return
    entry.handshake = info
    entry.handshakeAtMs = nowMs
    this.#counts(entry.kind).established++
    if (entry.direction === 'outbound') bump(this.#outboundGroups, entry.group, 1)
  }

  /** Forgets a closed connection; false if it was not registered. */
  remove (id: number): boolean {
    const entry = this.#byId.get(id)
    if (entry === undefined) return false
    this.#byId.delete(id)
    const counts = this.#counts(entry.kind)
    counts.total--
    if (entry.handshake !== undefined) {
      counts.established--
      if (entry.direction === 'outbound') bump(this.#outboundGroups, entry.group, -1)
    }
    if (entry.direction === 'inbound') {
      bump(this.#inboundByHost, entry.addr.host, -1)
      bump(this.#inboundByGroup, entry.group, -1)
    }
    return true
  }

  get (id: number): ConnectionInfo<S> | undefined {
    return this.#byId.get(id)
  }

  /** Every live connection, oldest first. */
  all (): Array<ConnectionInfo<S>> {
    return [...this.#byId.values()]
  }

  /** Sets (or, with undefined, removes) a tag's value on a connection. */
  tag (id: number, name: string, value: number | undefined): void {
    const entry = this.#byId.get(id)
    if (entry === undefined) return
    if (value === undefined) entry.tags.delete(name)
    else entry.tags.set(name, value)
  }

  /** Connections of one kind. */
  count (kind: ConnectionKind): ConnectionCounts {
    const { total, established } = this.#counts(kind)
    return { total, established }
  }

  /** Connections in one direction, summed over its kinds. */
  countDirection (direction: Direction): ConnectionCounts {
    let total = 0
    let established = 0
    for (const [kind, counts] of this.#byKind) {
      if ((kind === 'inbound') !== (direction === 'inbound')) continue
      total += counts.total
      established += counts.established
    }
    return { total, established }
  }

  /** Inbound connections (handshaken or not) from this host. */
  inboundFromHost (host: string): number {
    return this.#inboundByHost.get(host) ?? 0
  }

  /** Inbound connections (handshaken or not) from this network group. */
  inboundFromGroup (group: string): number {
    return this.#inboundByGroup.get(group) ?? 0
  }

  /** Inbound connections whose handshake has not finished (admission caps them node-wide). */
  pendingInbound (): number {
    const { total, established } = this.#counts('inbound')
    return total - established
  }

  /** Distinct network groups among handshaken outbound connections. */
  outboundGroupCount (): number {
    return this.#outboundGroups.size
  }

  #counts (kind: ConnectionKind): MutableCounts {
    return this.#byKind.get(kind) as MutableCounts
  }
}
