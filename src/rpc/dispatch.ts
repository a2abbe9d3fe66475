import type { Logger } from '../log/logger.ts'
import { RpcError } from './errors.ts'
import { methodHelp, methodList, rpcMethod, validateParams, type RpcMethod } from './methods.ts'
import { readCall, replyObject, RPC_ERROR, singleReplyStatus, type RpcErrorObject, type RpcParams } from './protocol.ts'

export interface RpcDispatcherComponents {
  logger: Logger
}

export interface RpcDispatcherInit {
  methods?: Readonly<Record<string, RpcMethod>>
}

/** An HTTP reply to a JSON-RPC body; no body means 204 (only notifications). */
export interface RpcHttpReply {
  readonly status: number
  readonly body: string | undefined
}

const NO_CONTENT: RpcHttpReply = { status: 204, body: undefined }

/**
 * The JSON-RPC layer: a method table (with `help` built from it), parameter checks, and request bodies
 * (single, batch, 1.0 or 2.0) turned into replies with Core's codes and HTTP statuses. No HTTP here.
 */
export class RpcDispatcher {
  readonly #methods = new Map<string, RpcMethod>()
  readonly #logger: Logger

  constructor (components: RpcDispatcherComponents, init: RpcDispatcherInit = {}) {
    this.#logger = components.logger
    this.#methods.set('help', rpcMethod({
      params: [{ name: 'command', type: 'string', optional: true, description: 'the method to explain' }],
      help: 'Lists every method, or explains one.\n\nResult: the help text (a string).',
      handler: ({ command }) => this.#help(command)
    }))
    for (const [name, method] of Object.entries(init.methods ?? {})) this.register(name, method)
  }

  /** Adds (or replaces) a method; names are Core's lower-case ones. */
  register (name: string, method: RpcMethod): void {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new RangeError(`RPC method name "${name}" must be lower-case letters, digits or "_"`)
    this.#methods.set(name, method)
  }

  names (): string[] {
    return [...this.#methods.keys()].sort()
  }

  /** Runs one call: the result, or an RpcError (-32601, -32602, the handler's own, or -32603). */
  async call (name: string, params: RpcParams | undefined): Promise<unknown> {
    const method = this.#methods.get(name)
    if (method === undefined) throw new RpcError(RPC_ERROR.METHOD_NOT_FOUND, `Method not found: ${name}`)
    const args = validateParams(name, method, params)
    try {
      return await method.handler(args)
    } catch (err) {
      if (err instanceof RpcError) throw err
      this.#logger.error(`RPC ${name} failed: ${(err as Error).stack ?? String(err)}`)
      throw new RpcError(RPC_ERROR.INTERNAL_ERROR, `Internal error while running ${name} (see the node's log)`)
    }
  }

  /** Answers a request body as Core's httprpc does (see docs/control-plane.md for the statuses). */
  async handleBody (text: string): Promise<RpcHttpReply> {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return this.#errorReply(RPC_ERROR.PARSE_ERROR, 'Parse error')
    }
    if (Array.isArray(value)) {
      const replies: unknown[] = []
      for (const item of value) {
        const reply = await this.#one(item)
        if (reply !== undefined) replies.push(reply.object)
      }
      return value.length > 0 && replies.length === 0 ? NO_CONTENT : { status: 200, body: JSON.stringify(replies) }
    }
    if (typeof value !== 'object' || value === null) return this.#errorReply(RPC_ERROR.PARSE_ERROR, 'Top-level object parse error')
    const reply = await this.#one(value)
    if (reply === undefined) return NO_CONTENT
    return { status: singleReplyStatus(reply.version, reply.error), body: JSON.stringify(reply.object) }
  }

  /** One request object's reply, or undefined for a notification. */
  async #one (request: unknown): Promise<{ object: Record<string, unknown>, version: 1 | 2, error?: RpcErrorObject } | undefined> {
    const call = readCall(request)
    if ('error' in call) {
      const error = { code: call.error.code, message: call.error.message }
      return { object: replyObject(call.version, call.id, { error }), version: call.version, error }
    }
    try {
      const result = await this.call(call.method, call.params)
      return call.notification ? undefined : { object: replyObject(call.version, call.id, { result }), version: call.version }
    } catch (err) {
      if (call.notification) return undefined
      const e = err as RpcError
      const error = { code: e.code, message: e.message }
      return { object: replyObject(call.version, call.id, { error }), version: call.version, error }
    }
  }

  #errorReply (code: number, message: string): RpcHttpReply {
    const error = { code, message }
    return { status: singleReplyStatus(1, error), body: JSON.stringify(replyObject(1, null, { error })) }
  }

  #help (command: string | undefined): string {
    if (command === undefined) return methodList(this.#methods)
    const method = this.#methods.get(command)
    if (method === undefined) throw new RpcError(RPC_ERROR.INVALID_PARAMS, `help: unknown command: ${command}`)
    return methodHelp(command, method)
  }
}
