import { rpcMethod, type RpcMethod } from '../rpc/methods.ts'
import { PEERKEEPER_VERSION } from '../version.ts'
import type { ControlContext } from './context.ts'
import { peerInfo } from './peer-info.ts'

const CATEGORY = 'Network'

/** Core's numeric version: 0.1.0 → 100 (major * 10000 + minor * 100 + patch). */
export function numericVersion (version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((part) => Number.parseInt(part, 10) || 0)
  return major * 10_000 + minor * 100 + patch
}

/** The difference between the wall clock and the node's clock, so node times can be shown as Unix times. */
export function wallOffsetMs (ctx: ControlContext): number {
  return Date.now() - ctx.clock.now()
}

/** getpeerinfo, getconnectioncount, getnetworkinfo, getnettotals: read-only views of the live connections. */
export function networkMethods (ctx: ControlContext): Record<string, RpcMethod> {
  return {
    getpeerinfo: rpcMethod({
      category: CATEGORY,
      params: [],
      help: 'Every connection (handshaken or not), oldest first, with Core\'s getpeerinfo fields.\n\nResult: an array of objects.',
      handler: () => {
        const offset = wallOffsetMs(ctx)
        return ctx.registry.all().map((conn) => peerInfo(conn, offset))
      }
    }),
    getconnectioncount: rpcMethod({
      category: CATEGORY,
      params: [],
      help: 'How many connections the node has (inbound and outbound, handshaken or not).\n\nResult: a number.',
      handler: () => ctx.registry.size
    }),
    getnetworkinfo: rpcMethod({
      category: CATEGORY,
      params: [],
      help: 'The node\'s version, connection counts and reachable networks.\n\nResult: an object with Core\'s getnetworkinfo fields (no relay fees: peerkeeper relays no transactions).',
      handler: () => {
        const inbound = ctx.registry.countDirection('inbound').total
        const outbound = ctx.registry.countDirection('outbound').total
        return {
          version: numericVersion(PEERKEEPER_VERSION),
          subversion: ctx.userAgent,
          protocolversion: ctx.network.protocolVersion,
          localservices: '0000000000000000',
          localservicesnames: [],
          localrelay: false,
          timeoffset: 0,
          networkactive: true,
          connections: inbound + outbound,
          connections_in: inbound,
          connections_out: outbound,
          networks: ctx.networks(),
          localaddresses: ctx.localAddresses().map(({ addr, score }) => ({ address: addr.host, port: addr.port, score })),
          warnings: ''
        }
      }
    }),
    getnettotals: rpcMethod({
      category: CATEGORY,
      params: [],
      help: 'Bytes received and sent by every connection since the node started.\n\nResult: {totalbytesrecv, totalbytessent, timemillis, uploadtarget}.',
      handler: () => ({
        totalbytesrecv: ctx.traffic.received.bytes,
        totalbytessent: ctx.traffic.sent.bytes,
        timemillis: Date.now(),
        // peerkeeper serves no blocks, so it never has an upload target (Core's values without -maxuploadtarget).
        uploadtarget: { timeframe: 86_400, target: 0, target_reached: false, serve_historical_blocks: true, bytes_left_in_cycle: 0, time_left_in_cycle: 0 }
      })
    })
  }
}
