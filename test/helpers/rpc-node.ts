import { readCookie } from '../../src/rpc/cookie.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import type { SimNetwork } from '../../src/sim/sim-network.ts'
import { rpcPost, type HttpReply } from './http-request.ts'
import { startInProcessNode, type InProcessNode } from './in-process-node.ts'
import { refusedPort } from './loopback-listener.ts'
import { tempDir } from './temp-dir.ts'

export interface RpcNode extends InProcessNode {
  datadir: string
  port: number
  /** USER:PASSWORD from the node's cookie. */
  auth: string
  /** One JSON-RPC 1.0 call; the reply object. */
  call(method: string, params?: unknown[] | Record<string, unknown>): Promise<{ result: unknown, error: { code: number, message: string } | null }>
  post(payload: unknown): Promise<HttpReply & { json: unknown }>
}

/** An in-process node with its JSON-RPC server on a free loopback port, and a cookie-authenticated caller. */
export async function startRpcNode (sim: SimNetwork, options: RunOptions, cleanup: Array<() => Promise<void>>): Promise<RpcNode> {
  const datadir = tempDir('rpc-node')
  const port = await refusedPort()
  const started = await startInProcessNode(sim, { norpc: undefined, rpclisten: [`127.0.0.1:${port}`], ...options }, datadir, cleanup)
  const cookie = await readCookie(datadir)
  if (cookie === undefined) throw new Error(`no cookie in ${datadir}`)
  const auth = `${cookie.user}:${cookie.password}`
  const post = async (payload: unknown): Promise<HttpReply & { json: unknown }> => await rpcPost(port, auth, payload)
  return {
    ...started,
    datadir,
    port,
    auth,
    post,
    call: async (method, params = []) => (await post({ method, params, id: 1 })).json as { result: unknown, error: { code: number, message: string } | null }
  }
}
