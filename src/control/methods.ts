import type { RpcMethod } from '../rpc/methods.ts'
import { addrmanMethods } from './addrman-methods.ts'
import { banMethods } from './ban-methods.ts'
import { connectionMethods } from './connection-methods.ts'
import type { ControlContext } from './context.ts'
import { networkMethods } from './network-methods.ts'
import { nodeMethods } from './node-methods.ts'

/** Every RPC method of a running node (help is the dispatcher's own). */
export function controlMethods (ctx: ControlContext): Record<string, RpcMethod> {
  return { ...networkMethods(ctx), ...connectionMethods(ctx), ...banMethods(ctx), ...addrmanMethods(ctx), ...nodeMethods(ctx) }
}
