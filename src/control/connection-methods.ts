import { addrKey, parseHostPort, type HostPort } from '../netaddr/netaddress.ts'
import { RpcError } from '../rpc/errors.ts'
import { rpcMethod, type RpcMethod } from '../rpc/methods.ts'
import { RPC_ERROR } from '../rpc/protocol.ts'
import type { ControlContext } from './context.ts'

const CATEGORY = 'Network'
const ADDNODE_COMMANDS = ['add', 'remove', 'onetry'] as const

/** A peer address as the methods take it (`host[:port]`, the network's port by default); -8 when it is none. */
export function rpcAddress (ctx: ControlContext, method: string, text: string): HostPort {
  try {
    return parseHostPort(text, ctx.network.defaultPort)
  } catch (err) {
    throw new RpcError(RPC_ERROR.INVALID_PARAMETER, `${method}: ${(err as Error).message}`)
  }
}

/** The getaddednodeinfo entry of one permanent peer: whether an outbound connection to it is up. */
function addedNodeInfo (ctx: ControlContext, peer: { given: HostPort, addr: HostPort | undefined }): Record<string, unknown> {
  const key = peer.addr === undefined ? undefined : addrKey(peer.addr)
  const conn = key === undefined ? undefined : ctx.registry.all().find((c) => c.direction === 'outbound' && c.key === key && c.handshake !== undefined)
  return {
    addednode: addrKey(peer.given),
    connected: conn !== undefined,
    addresses: conn === undefined ? [] : [{ address: conn.key, connected: 'outbound' }]
  }
}

/** addnode, getaddednodeinfo, disconnectnode: the operator's say over which peers are connected. */
export function connectionMethods (ctx: ControlContext): Record<string, RpcMethod> {
  return {
    addnode: rpcMethod({
      category: CATEGORY,
      params: [
        { name: 'node', type: 'string', description: 'HOST[:PORT] (the network\'s port by default)' },
        { name: 'command', type: 'string', description: '"add" (a permanent peer, reconnected with backoff), "remove" (drop it for good) or "onetry" (one manual connection)' }
      ],
      help: 'Adds a permanent peer (like --addpeer), removes one, or dials a peer once. Not saved: a restart keeps only the configured peers, as in Core.\n\nResult: null.',
      handler: ({ node, command }) => {
        if (!(ADDNODE_COMMANDS as readonly string[]).includes(command)) {
          throw new RpcError(RPC_ERROR.INVALID_PARAMS, `addnode: parameter "command" (position 2) must be one of ${ADDNODE_COMMANDS.join(', ')}, got ${JSON.stringify(command)}`)
        }
        const hp = rpcAddress(ctx, 'addnode', node)
        if (command === 'onetry') ctx.oneTry(hp)
        else if (command === 'add' && !ctx.permanent.add(hp)) throw new RpcError(RPC_ERROR.CLIENT_NODE_ALREADY_ADDED, 'Error: Node already added')
        else if (command === 'remove' && !ctx.permanent.remove(hp)) throw new RpcError(RPC_ERROR.CLIENT_NODE_NOT_ADDED, 'Error: Node could not be removed. It has not been added previously.')
        return null
      }
    }),
    getaddednodeinfo: rpcMethod({
      category: CATEGORY,
      params: [{ name: 'node', type: 'string', optional: true, description: 'only this permanent peer' }],
      help: 'The permanent peers (--addpeer, --connect and addnode) and whether each is connected.\n\nResult: an array of {addednode, connected, addresses: [{address, connected}]}.',
      handler: ({ node }) => {
        const peers = ctx.permanent.list()
        if (node === undefined) return peers.map((p) => addedNodeInfo(ctx, p))
        const key = addrKey(rpcAddress(ctx, 'getaddednodeinfo', node))
        const peer = peers.find((p) => addrKey(p.given) === key)
        if (peer === undefined) throw new RpcError(RPC_ERROR.CLIENT_NODE_NOT_ADDED, 'Error: Node has not been added.')
        return [addedNodeInfo(ctx, peer)]
      }
    }),
    disconnectnode: rpcMethod({
      category: CATEGORY,
      params: [
        { name: 'address', type: 'string', optional: true, description: 'the peer\'s HOST:PORT as getpeerinfo shows it' },
        { name: 'nodeid', type: 'number', optional: true, description: 'the peer\'s id from getpeerinfo' }
      ],
      help: 'Closes one connection, by address or by id (give exactly one). A permanent peer is reconnected with backoff; an automatic one is replaced.\n\nResult: null.',
      handler: ({ address, nodeid }) => {
        const byAddress = address !== undefined && address !== ''
        if (byAddress === (nodeid !== undefined)) throw new RpcError(RPC_ERROR.INVALID_PARAMS, 'disconnectnode: Only one of address and nodeid should be provided.')
        let conn
        if (byAddress) {
          let key: string | undefined
          try { key = addrKey(parseHostPort(address, ctx.network.defaultPort)) } catch { key = undefined }
          conn = ctx.registry.all().find((c) => c.key === key)
        } else {
          conn = ctx.registry.get(nodeid as number)
        }
        if (conn === undefined) throw new RpcError(RPC_ERROR.CLIENT_NODE_NOT_CONNECTED, 'Node not found in connected nodes')
        conn.session.close('disconnected by RPC disconnectnode')
        return null
      }
    })
  }
}
