import { RpcError } from './errors.ts'

/** JSON-RPC and Bitcoin Core error codes (Core's src/rpc/protocol.h); methods throw RpcError with these. */
export const RPC_ERROR = {
  /** Core's catch-all for a failed method (RPC_MISC_ERROR). */
  MISC: -1,
  INVALID_PARAMETER: -8,
  CLIENT_NODE_ALREADY_ADDED: -23,
  CLIENT_NODE_NOT_ADDED: -24,
  CLIENT_NODE_NOT_CONNECTED: -29,
  CLIENT_INVALID_IP_OR_SUBNET: -30,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  PARSE_ERROR: -32700
} as const

export type RpcParams = unknown[] | Record<string, unknown>

/** One call, as read from a request object. Version 1 is Core's "legacy" (JSON-RPC 1.0, or no "jsonrpc"). */
export interface RpcCall {
  readonly version: 1 | 2
  readonly id: unknown
  /** A JSON-RPC 2.0 request without "id": executed, never answered. */
  readonly notification: boolean
  readonly method: string
  readonly params: RpcParams | undefined
}

/** A request object that could not be read as a call, with the version and id known so far for the reply. */
export interface RpcBadCall {
  readonly version: 1 | 2
  readonly id: unknown
  readonly error: RpcError
}

export type RpcErrorObject = { code: number, message: string }

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads one request object in the order Core does: id, "jsonrpc" version, method, params. */
export function readCall (value: unknown): RpcCall | RpcBadCall {
  if (!isObject(value)) return { version: 1, id: null, error: new RpcError(RPC_ERROR.INVALID_REQUEST, 'Invalid Request object') }
  const id = value.id ?? null
  const jsonrpc = value.jsonrpc
  let version: 1 | 2
  if (jsonrpc === undefined || jsonrpc === null || jsonrpc === '1.0') version = 1
  else if (jsonrpc === '2.0') version = 2
  else return { version: 1, id, error: new RpcError(RPC_ERROR.INVALID_REQUEST, 'JSON-RPC version not supported (expected "1.0" or "2.0")') }
  if (value.method === undefined) return { version, id, error: new RpcError(RPC_ERROR.INVALID_REQUEST, 'Missing method') }
  if (typeof value.method !== 'string') return { version, id, error: new RpcError(RPC_ERROR.INVALID_REQUEST, 'Method must be a string') }
  const params = value.params
  if (params !== undefined && params !== null && typeof params !== 'object') {
    return { version, id, error: new RpcError(RPC_ERROR.INVALID_REQUEST, 'Params must be an array or object') }
  }
  return {
    version,
    id,
    notification: version === 2 && !('id' in value),
    method: value.method,
    params: (params ?? undefined) as RpcParams | undefined
  }
}

/** A reply object: legacy replies carry both result and error (one null); 2.0 replies carry one of them. */
export function replyObject (version: 1 | 2, id: unknown, outcome: { result: unknown } | { error: RpcErrorObject }): Record<string, unknown> {
  if (version === 2) return 'error' in outcome ? { jsonrpc: '2.0', error: outcome.error, id } : { jsonrpc: '2.0', result: outcome.result ?? null, id }
  return 'error' in outcome ? { result: null, error: outcome.error, id } : { result: outcome.result ?? null, error: null, id }
}

/**
 * The HTTP status of a reply to a single (non-batch) request, as Core's httprpc sets it: 2.0 replies are
 * 200 even for errors; legacy errors are 400 for an invalid request, 404 for an unknown method, else 500.
 */
export function singleReplyStatus (version: 1 | 2, error: RpcErrorObject | undefined): number {
  if (error === undefined || version === 2) return 200
  if (error.code === RPC_ERROR.INVALID_REQUEST) return 400
  if (error.code === RPC_ERROR.METHOD_NOT_FOUND) return 404
  return 500
}
