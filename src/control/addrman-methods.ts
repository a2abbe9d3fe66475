import { listRecords } from '../addrbook/record-json.ts'
import { isValidPort, toNetAddress, type Network } from '../netaddr/netaddress.ts'
import { RpcError } from '../rpc/errors.ts'
import { rpcMethod, type RpcMethod } from '../rpc/methods.ts'
import { RPC_ERROR } from '../rpc/protocol.ts'
import { unixSeconds } from '../util/clock.ts'
import { NODE_NETWORK, NODE_WITNESS } from '../wire/services.ts'
import type { ControlContext } from './context.ts'
import { coreNetworkName } from './peer-info.ts'

const CATEGORY = 'Network'
/** Core's network names, in getaddrmaninfo's order. */
const NETWORKS: readonly Network[] = ['ipv4', 'ipv6', 'torv3', 'i2p', 'cjdns']
/** What addpeeraddress assumes a peer offers (Core: NODE_NETWORK | NODE_WITNESS). */
const ADDED_SERVICES = NODE_NETWORK | NODE_WITNESS

function networkByName (name: string): Network {
  const network = NETWORKS.find((n) => coreNetworkName(n) === name)
  if (network === undefined) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, `Network not recognized: ${name}`)
  return network
}

/** getnodeaddresses, addpeeraddress, getaddrmaninfo: the address book of the running node. */
export function addrmanMethods (ctx: ControlContext): Record<string, RpcMethod> {
  return {
    getnodeaddresses: rpcMethod({
      category: CATEGORY,
      params: [
        { name: 'count', type: 'number', optional: true, description: 'how many (default 1; 0 = all)' },
        { name: 'network', type: 'string', optional: true, description: 'only this network: ipv4, ipv6, onion, i2p or cjdns' }
      ],
      help: 'Known addresses in random order (never the ones that keep failing), as Core picks them for getaddr.\n\nResult: an array of {time, services, address, port, network}.',
      handler: ({ count, network }) => {
        const want = count ?? 1
        if (!Number.isInteger(want) || want < 0) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, 'Address count out of range')
        const only = network === undefined ? undefined : networkByName(network)
        const all = ctx.book.sample(Number.MAX_SAFE_INTEGER, 100).filter((a) => only === undefined || a.addr.network === only)
        return all.slice(0, want === 0 ? all.length : want).map((a) => ({
          time: a.time,
          services: Number(a.services),
          address: a.addr.host,
          port: a.addr.port,
          network: coreNetworkName(a.addr.network)
        }))
      }
    }),
    addpeeraddress: rpcMethod({
      category: CATEGORY,
      params: [
        { name: 'address', type: 'string', description: 'an IP address or .onion/.i2p host' },
        { name: 'port', type: 'number' },
        { name: 'tried', type: 'boolean', optional: true, description: 'put it in the tried table (default false)' }
      ],
      help: 'Adds an address to the address book (saved with the next flush).\n\nResult: {success} and, when it was not added, {error}.',
      handler: ({ address, port, tried }) => {
        if (!isValidPort(port)) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, `addpeeraddress: port ${port} is not 1-65535`)
        const addr = toNetAddress(address.trim().toLowerCase(), port)
        if (addr === undefined) return { success: false, error: 'not an IP address, .onion or .i2p host' }
        if (ctx.book.add([{ addr, services: ADDED_SERVICES, time: unixSeconds(ctx.clock) }], undefined) === 0) {
          return { success: false, error: 'failed-adding-to-new' }
        }
        if (tried === true && !ctx.book.good(addr)) return { success: false, error: 'failed-adding-to-tried' }
        return { success: true }
      }
    }),
    listaddresses: rpcMethod({
      category: CATEGORY,
      params: [{ name: 'limit', type: 'number', optional: true, description: 'at most this many (default 0 = all)' }],
      help: 'peerkeeper\'s own: every address-book record, tried first, then the most recently seen (what `peerkeeper addrbook list` prints).\n\nResult: an array of {address, network, table, services, lastSeen, attempts, lastAttempt, lastSuccess, source}.',
      handler: ({ limit }) => {
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, 'listaddresses: limit must be a whole number >= 0')
        return listRecords(ctx.book.exportRecords(), limit)
      }
    }),
    getaddrmaninfo: rpcMethod({
      category: CATEGORY,
      params: [],
      help: 'Address-book counts per network and table.\n\nResult: {ipv4, ipv6, onion, i2p, cjdns, all_networks}, each {new, tried, total}.',
      handler: () => {
        const counts = new Map(NETWORKS.map((n) => [n, { new: 0, tried: 0, total: 0 }]))
        for (const record of ctx.book.exportRecords()) {
          const c = counts.get(record.addr.network)
          if (c === undefined) continue
          if (record.tried) c.tried++
          else c.new++
          c.total++
        }
        const size = ctx.book.size()
        return {
          ...Object.fromEntries([...counts].map(([n, c]) => [coreNetworkName(n), c])),
          all_networks: { new: size.new, tried: size.tried, total: size.new + size.tried }
        }
      }
    })
  }
}
