import type { BanList } from '../banlist/ban-list.ts'
import type { NetAddress } from '../netaddr/netaddress.ts'
import type { ConnectionKind } from '../registry/types.ts'
import { ALLOW, deny, type ConnectionGater, type GateDecision } from './gater.ts'
import type { Whitelist } from './whitelist.ts'

export interface DefaultGaterComponents {
  banList: BanList
  whitelist: Whitelist
}

/**
 * The node's gater when an embedder brings none: banned addresses are neither dialed nor accepted,
 * except whitelisted ones (never kept out) and the operator's permanent peers (dialed anyway, as btcd
 * and Core do for manual connections). Handshakes are not gated.
 */
export class DefaultGater implements ConnectionGater {
  readonly #c: DefaultGaterComponents

  constructor (components: DefaultGaterComponents) {
    this.#c = components
  }

  interceptAddrDial (addr: NetAddress, kind: ConnectionKind): GateDecision {
    if (kind === 'manual') return ALLOW
    return this.#banned(addr.host) ? deny('banned') : ALLOW
  }

  interceptAccept (remote: NetAddress): GateDecision {
    return this.#banned(remote.host) ? deny('banned') : ALLOW
  }

  interceptHandshake (): GateDecision {
    return ALLOW
  }

  #banned (host: string): boolean {
    return this.#c.banList.isBanned(host) && !this.#c.whitelist.has(host)
  }
}
