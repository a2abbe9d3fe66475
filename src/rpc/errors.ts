import { NamedError } from '../util/errors.ts'

/** An error carrying a JSON-RPC error code. */
abstract class CodedRpcError extends NamedError {
  readonly code: number
  constructor (code: number, message: string) {
    super(message)
    this.code = code
  }
}

/**
 * An error a method handler throws to answer with that JSON-RPC error (code from RPC_ERROR); any other
 * error thrown by a handler becomes -32603 with a generic message and is logged.
 */
export class RpcError extends CodedRpcError {}

/** A bad RPC setting (--rpcauth, --rpcuser, --rpcallowip, --rpclisten): the message names the flag. */
export class RpcConfigError extends NamedError {}

/** The node answered a call with a JSON-RPC error. */
export class RpcResponseError extends CodedRpcError {}

/** Nothing listens where the client looked for the node (ECONNREFUSED). */
export class NoNodeRunningError extends NamedError {}

/** The node refused the client's credentials (HTTP 401). */
export class AuthError extends NamedError {}

/** The reply was not a JSON-RPC reply, the request timed out, or the connection failed otherwise. */
export class RpcTransportError extends NamedError {}

/** The cookie file of a data directory is missing or malformed. */
export class CookieError extends NamedError {}
