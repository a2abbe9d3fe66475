import type { AccessListsConfig } from '../admission/access-lists.ts'
import type { Selection } from '../addrbook/select.ts'
import type { InboundLimits } from '../admission/inbound-limits.ts'
import type { ChainParams } from '../chainparams/chainparams.ts'
import type { LogFormat } from '../log/winston.ts'
import type { Subnet } from '../http/subnet.ts'
import type { HostPort, NetAddress, Network } from '../netaddr/netaddress.ts'
import type { TransportOptions } from '../transport/create-dialer.ts'
import type { PeerValueSettings } from '../peervalue/peer-value.ts'
import type { PeerRateLimits } from '../ratelimit/peer-limits.ts'
import type { TarpitDeadlines } from '../peer/tarpit.ts'
import type { Asmap } from '../addrbook/asmap.ts'

import type { ListenAddress } from '../inbound/listener.ts'

export type { ListenAddress }

/** The admission slice: --maxinboundperip, --maxinboundpergroup, --inboundrate, --maxpendinginbound, --whitelist, --deny. */
export interface AdmissionConfig extends AccessListsConfig {
  readonly limits: InboundLimits
}

/**
 * Everything the node needs, checked: createNode takes this and nothing from the environment. One slice
 * per component, handed to it unchanged. The CLI builds it from flags (src/cli/node-config.ts).
 */
export interface NodeConfig {
  readonly params: ChainParams
  readonly datadir: string
  /** The connection manager's and outbound side's slice. */
  readonly outbound: {
    /** Automatic outbound connections kept open (btcd's arithmetic: 0 when connect-only or full). */
    readonly targetOutbound: number
    /** --addpeer or --connect peers, dialed permanently with backoff; names are resolved at start. */
    readonly permanentPeers: readonly HostPort[]
    /** --connect: only the permanent peers, no automatic outbound, no DNS seeding. */
    readonly connectOnly: boolean
    /** --blockrelayonly: Core's block-relay-only slots (no address relay; anchors come from them), beside the target. */
    readonly blockRelayOnly: number
    /** False with --nofeelers: no feeler connections and no test-before-evict in the address book. */
    readonly feelers: boolean
    /** --onlynet: automatic connections go only to these networks; empty = every network. */
    readonly onlyNets: readonly Network[]
    /** --selection: automatic picks take a random network group first ('group', the default), or Core's buckets ('core'). */
    readonly selection?: Selection
    /**
     * --rotation k: the longest-held automatic full-relay peer is rotated out at k times the rate those peers
     * leave on their own (src/connmgr/rotation.ts). Absent or 0: never (buildNodeConfig gives the CLI's default).
     */
    readonly rotation?: number
    /**
     * --returnwindow: how long an automatic peer that left on its own is redialed to take its slot back from
     * its stand-in (src/connmgr/returns.ts); 0 = never. Absent: DEFAULT_RETURN_WINDOW_MS.
     */
    readonly returnWindowMs?: number
    /** Rotate the block-relay-only slots too (a measurement knob, no flag: they hold the anchors). */
    readonly rotateBlockRelay?: boolean
  }
  readonly inbound: {
    /** Empty = no inbound connections. */
    readonly listen: readonly ListenAddress[]
    /** Inbound slots: what --maxpeers leaves after the permanent and automatic outbound ones. */
    readonly maxInbound: number
    /** --externalip: our address as others should dial it, told to outbound peers (self-advertisement). */
    readonly externalIps?: readonly NetAddress[]
  }
  readonly maxPeers: number
  /** The peer sessions' slice. */
  readonly sessions: {
    /** --v2transport (default) / --nov2transport: BIP324 encryption, advertised as NODE_P2P_V2. */
    readonly v2Transport: boolean
  }
  /** --asmap: the address book and outbound diversity group IPv4/IPv6 by AS; absent = /16 and /32. */
  readonly asmap?: Asmap
  readonly seeding: {
    readonly dnsSeed: boolean
    /** --seednode: peers asked for addresses when the book is empty. */
    readonly seedNodes: readonly HostPort[]
  }
  /** Name resolution: resolvers for DNS seeding and names; empty = the system's (/etc/resolv.conf). */
  readonly names: { readonly dnsServers: readonly HostPort[] }
  /** --proxy, --proxyuser, --proxypass, --onion, --noonion, --torisolation, as the dialer takes them. */
  readonly transport: Omit<TransportOptions, 'connectTimeoutMs'>
  readonly banning: {
    /** False with --nobanning: peers are never scored or banned. */
    readonly enabled: boolean
    readonly threshold: number
    readonly durationMs: number
  }
  /** Inbound admission (docs/admission.md): limits and the allow and deny lists; reloadable (Node.reconfigure). */
  readonly admission: AdmissionConfig
  readonly logging: { readonly debugLevel: string, readonly format: LogFormat, readonly file: string | undefined }
  /** --statuslisten, --statusallowip: the live status page (src/status/); absent or no listen = off. */
  readonly statusPage?: { readonly listen: readonly HostPort[], readonly allowIps: readonly Subnet[] }
  /** Trimming between the water marks and under overload (docs/peer-value.md). @default off */
  readonly peerValue?: Partial<PeerValueSettings>
  /** Per-connection rate limits and tarpit deadlines (docs/peer-value.md). @default no limits, 30 s deadlines */
  readonly guard?: { readonly rateLimits?: PeerRateLimits, readonly tarpit?: Partial<TarpitDeadlines> }
  /** The JSON-RPC server (src/rpc/); absent = none (--norpc, or an embedder that wants none). */
  readonly rpc?: {
    readonly listen: readonly HostPort[]
    /** --rpcallowip: clients beyond loopback that may connect. */
    readonly allowIps: readonly string[]
    readonly user?: string
    readonly password?: string
    /** --rpcauth entries, `USER:SALT$HASH`. */
    readonly rpcAuth: readonly string[]
    /** Write `<datadir>/.cookie` (fresh each start, removed at stop). */
    readonly cookie: boolean
  }
  /** The /metrics, /healthz and /readyz endpoint; absent = none. */
  readonly metrics?: { readonly listen: readonly HostPort[] }
}
