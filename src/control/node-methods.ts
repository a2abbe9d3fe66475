import { RpcError } from '../rpc/errors.ts'
import { rpcMethod, type RpcMethod } from '../rpc/methods.ts'
import { RPC_ERROR } from '../rpc/protocol.ts'
import type { ControlContext } from './context.ts'

/** uptime, stop, and peerkeeper's getstatus and reloadconfig. */
export function nodeMethods (ctx: ControlContext): Record<string, RpcMethod> {
  return {
    uptime: rpcMethod({
      params: [],
      help: 'Seconds since the node started.\n\nResult: a number.',
      handler: () => Math.floor((ctx.clock.now() - ctx.startedAtMs) / 1000)
    }),
    stop: rpcMethod({
      params: [],
      help: 'Shuts the node down cleanly (as SIGTERM does), after this reply.\n\nResult: "peerkeeper stopping".',
      handler: () => {
        // After the reply: the handler's own server is among what shuts down.
        setImmediate(() => { ctx.requestStop() })
        return 'peerkeeper stopping'
      }
    }),
    getstatus: rpcMethod({
      params: [],
      help: 'The numbers of the status line logged every minute (peerkeeper\'s own).\n\nResult: {outbound, targetOutbound, permanentUp, permanentTotal, inbound, maxInbound, addressesNew, addressesTried, bans}.',
      handler: () => ctx.status()
    }),
    reloadconfig: rpcMethod({
      params: [],
      help: 'Re-reads the configuration and applies what can change while running, as SIGHUP does (peerkeeper\'s own).\n\nResult: what was applied.',
      handler: async () => {
        if (ctx.reload === undefined) throw new RpcError(RPC_ERROR.MISC, 'reloadconfig: this node was started without a configuration to re-read (an embedded node)')
        return await ctx.reload()
      }
    })
  }
}
