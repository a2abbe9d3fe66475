import { request } from 'node:http'
import { addrKey } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import type { UserPassword } from './auth.ts'
import { AuthError, NoNodeRunningError, RpcResponseError, RpcTransportError } from './errors.ts'
import type { RpcParams } from './protocol.ts'

export interface RpcClientComponents {
  clock: Clock
}

export interface RpcClientInit {
  host: string
  port: number
  /** Sent as HTTP Basic; without it the node answers 401 (reported as AuthError). */
  auth?: UserPassword
  /** The whole call, connect to last byte. */
  timeoutMs?: number
}

/** Long enough for any control-plane method on a busy node; a hung node is reported, not waited on. */
export const DEFAULT_RPC_CLIENT_TIMEOUT_MS = 60_000
/** Replies beyond this are not from a peerkeeper node (getpeerinfo with 125 peers is ~150 KB). */
const MAX_REPLY_BYTES = 64 * 1024 * 1024

interface RawReply { status: number, body: string }

/** A JSON-RPC 2.0 client over HTTP for one node; each call is its own request. */
export class RpcClient {
  readonly #components: RpcClientComponents
  readonly #init: RpcClientInit
  #nextId = 1

  constructor (components: RpcClientComponents, init: RpcClientInit) {
    this.#components = components
    this.#init = init
  }

  /** The method's result; throws RpcResponseError, NoNodeRunningError, AuthError or RpcTransportError. */
  async call (method: string, params: RpcParams = []): Promise<unknown> {
    const id = this.#nextId++
    const reply = await this.#post(JSON.stringify({ jsonrpc: '2.0', method, params, id }))
    const where = addrKey(this.#init)
    if (reply.status === 401) throw new AuthError(`the node on ${where} refused the login (wrong --rpcuser/--rpcpass, or a cookie from another run)`)
    if (reply.status === 403) throw new RpcTransportError(`the node on ${where} does not allow this client's address (see --rpcallowip)`)
    let parsed: unknown
    try {
      parsed = JSON.parse(reply.body)
    } catch {
      throw new RpcTransportError(`${where} answered HTTP ${reply.status} without a JSON-RPC reply: ${reply.body.slice(0, 200).trim()}`)
    }
    const object = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { result?: unknown, error?: { code?: unknown, message?: unknown } | null }
    if (object.error !== undefined && object.error !== null) {
      throw new RpcResponseError(Number(object.error.code), String(object.error.message))
    }
    if (!('result' in object)) throw new RpcTransportError(`${where} answered HTTP ${reply.status} with neither result nor error`)
    return object.result
  }

  async #post (body: string): Promise<RawReply> {
    const { host, port, auth } = this.#init
    const where = addrKey(this.#init)
    return await new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }
      if (auth !== undefined) headers.Authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`
      const req = request({ host, port, method: 'POST', path: '/', headers, agent: false })
      const timeoutMs = this.#init.timeoutMs ?? DEFAULT_RPC_CLIENT_TIMEOUT_MS
      const timer = this.#components.clock.setTimeout(() => {
        req.destroy(new RpcTransportError(`no reply from ${where} within ${timeoutMs} ms`))
      }, timeoutMs)
      const fail = (err: NodeJS.ErrnoException): void => {
        this.#components.clock.clearTimeout(timer)
        if (err.code === 'ECONNREFUSED') reject(new NoNodeRunningError(`no node is running on ${where} (is \`peerkeeper run\` up with this --datadir/--network?)`))
        else if (err instanceof RpcTransportError) reject(err)
        else reject(new RpcTransportError(`RPC to ${where} failed: ${err.code ?? err.message}`))
      }
      req.on('error', fail)
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        let total = 0
        res.on('data', (chunk: Buffer) => {
          total += chunk.length
          if (total > MAX_REPLY_BYTES) req.destroy(new RpcTransportError(`${where} sent a reply over ${MAX_REPLY_BYTES} bytes`))
          else chunks.push(chunk)
        })
        res.on('end', () => {
          this.#components.clock.clearTimeout(timer)
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
        })
        res.on('error', fail)
      })
      req.end(body)
    })
  }
}
