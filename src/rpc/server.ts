import type { IncomingMessage, ServerResponse } from 'node:http'
import { BoundedHttpServer } from '../http/bounded-server.ts'
import { readBody } from '../http/body.ts'
import type { HttpLimits } from '../http/limits.ts'
import { sendBody, sendText } from '../http/reply.ts'
import { parseSubnet } from '../http/subnet.ts'
import type { Logger } from '../log/logger.ts'
import type { HostPort } from '../netaddr/netaddress.ts'
import type { Clock } from '../util/clock.ts'
import type { Random } from '../util/random.ts'
import type { Startable } from '../util/startable.ts'
import { authenticate, credentialFor, parseBasicAuth, parseRpcAuth, type RpcCredential } from './auth.ts'
import { checkRpcBinds, rpcClientAllowed } from './binds.ts'
import { COOKIE_USER, removeCookie, writeCookie } from './cookie.ts'
import { RpcDispatcher } from './dispatch.ts'
import { RpcConfigError } from './errors.ts'
import type { RpcMethod } from './methods.ts'

export interface RpcServerComponents {
  clock: Clock
  logger: Logger
  /** Draws the cookie secret and credential salts (the system's CSPRNG in production). */
  random: Random
}

export interface RpcServerInit {
  listen: readonly HostPort[]
  methods?: Readonly<Record<string, RpcMethod>>
  /** --rpcallowip entries (IP, IP/prefix, IPv4 IP/netmask); loopback is always allowed. */
  allowIps?: readonly string[]
  /** Writes `<cookieDir>/.cookie` at start (fresh secret) and removes it at stop. */
  cookieDir?: string
  /** --rpcuser/--rpcpass: both or neither. */
  user?: string
  password?: string
  /** --rpcauth entries, `USER:SALT$HASH`. */
  rpcAuth?: readonly string[]
  limits?: Partial<HttpLimits>
  /** How long a failed login waits for its 401 (Core: 250 ms), on the clock. */
  authFailureDelayMs?: number
  /** Told of each failed login after it is logged (for metrics or tests). */
  onAuthFailure?: (failure: { remote: string, user: string | undefined }) => void
}

/** Core's pause before answering a failed login: slows password guessing. */
export const AUTH_FAILURE_DELAY_MS = 250
/** The cookie secret: 32 random bytes, as Core. */
const COOKIE_SECRET_BYTES = 32
const WWW_AUTHENTICATE = { 'WWW-Authenticate': 'Basic realm="jsonrpc"' }

/**
 * The JSON-RPC server: Core's HTTP semantics and authentication (cookie, rpcuser/rpcpass, rpcauth) in
 * front of an RpcDispatcher, on a BoundedHttpServer restricted to loopback plus --rpcallowip.
 */
export class RpcServer implements Startable {
  readonly dispatcher: RpcDispatcher
  readonly #components: RpcServerComponents
  readonly #init: RpcServerInit
  readonly #http: BoundedHttpServer
  readonly #configured: RpcCredential[]
  #credentials: RpcCredential[] = []
  #cookie: { path: string, password: string } | undefined
  #running = false

  constructor (components: RpcServerComponents, init: RpcServerInit) {
    this.#components = components
    this.#init = init
    const allowIps = (init.allowIps ?? []).map((text) => {
      try {
        return parseSubnet(text, '--rpcallowip')
      } catch (err) {
        throw new RpcConfigError((err as Error).message)
      }
    })
    checkRpcBinds(init.listen, allowIps)
    if ((init.user === undefined) !== (init.password === undefined)) throw new RpcConfigError('--rpcuser and --rpcpass go together: give both or neither')
    if (init.user !== undefined && (init.user === '' || init.user.includes(':'))) throw new RpcConfigError(`--rpcuser: "${init.user}" must be non-empty and contain no ":"`)
    if (init.password === '') throw new RpcConfigError('--rpcpass: must not be empty')
    this.#configured = [
      ...(init.user !== undefined && init.password !== undefined ? [credentialFor({ user: init.user, password: init.password }, components.random)] : []),
      ...(init.rpcAuth ?? []).map((entry) => parseRpcAuth(entry))
    ]
    if (this.#configured.length === 0 && init.cookieDir === undefined) {
      throw new RpcConfigError('the RPC server needs credentials: a cookie directory, --rpcuser/--rpcpass or --rpcauth')
    }
    this.dispatcher = new RpcDispatcher({ logger: components.logger }, { ...(init.methods === undefined ? {} : { methods: init.methods }) })
    this.#http = new BoundedHttpServer({ clock: components.clock, logger: components.logger }, {
      name: 'RPC',
      listen: init.listen,
      handler: async (req, res) => { await this.#handle(req, res) },
      allowRemote: rpcClientAllowed(allowIps),
      ...(init.limits === undefined ? {} : { limits: init.limits })
    })
  }

  /** The bound addresses (the real port when 0 was asked for). */
  addresses (): HostPort[] {
    return this.#http.addresses()
  }

  /** The cookie file while running with one. */
  get cookiePath (): string | undefined {
    return this.#cookie?.path
  }

  async start (): Promise<void> {
    if (this.#running) return
    let cookieCredential: RpcCredential[] = []
    let password: string | undefined
    if (this.#init.cookieDir !== undefined) {
      password = Buffer.from(this.#components.random.bytes(COOKIE_SECRET_BYTES)).toString('hex')
      cookieCredential = [credentialFor({ user: COOKIE_USER, password }, this.#components.random)]
    }
    this.#credentials = [...this.#configured, ...cookieCredential]
    await this.#http.start()
    // The cookie appears only once the server answers, and only for a server that did start.
    if (this.#init.cookieDir !== undefined && password !== undefined) {
      try {
        this.#cookie = { path: await writeCookie(this.#init.cookieDir, password), password }
      } catch (err) {
        await this.#http.stop()
        throw new RpcConfigError(`cannot write the RPC cookie in ${this.#init.cookieDir}: ${(err as Error).message}`)
      }
    }
    this.#running = true
  }

  async stop (): Promise<void> {
    this.#running = false
    await this.#http.stop()
    if (this.#cookie !== undefined) await removeCookie(this.#cookie.path, this.#cookie.password)
    this.#cookie = undefined
  }

  async #handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (new URL(req.url ?? '/', 'http://rpc').pathname !== '/') {
      sendText(res, 404, 'Not Found: JSON-RPC is served at /\n')
      return
    }
    if (req.method !== 'POST') {
      sendText(res, 405, 'JSONRPC server handles only POST requests\n', { Allow: 'POST', Connection: 'close' })
      return
    }
    const header = req.headers.authorization
    if (header === undefined) {
      sendText(res, 401, 'Unauthorized\n', { ...WWW_AUTHENTICATE, Connection: 'close' })
      return
    }
    const login = parseBasicAuth(header)
    if (login === undefined || authenticate(this.#credentials, login) === undefined) {
      await this.#refuseLogin(req, res, login?.user)
      return
    }
    let body: Buffer
    try {
      body = await readBody(req, this.#http.limits.maxBodyBytes)
    } catch (err) {
      if ((err as Error).name !== 'BodyTooLargeError') throw err
      sendText(res, 413, `Payload Too Large: ${(err as Error).message}\n`, { Connection: 'close' })
      return
    }
    const reply = await this.dispatcher.handleBody(body.toString('utf8'))
    if (reply.body === undefined) {
      res.writeHead(204).end()
      return
    }
    sendBody(res, reply.status, 'application/json', `${reply.body}\n`)
  }

  async #refuseLogin (req: IncomingMessage, res: ServerResponse, user: string | undefined): Promise<void> {
    const remote = req.socket.remoteAddress ?? '?'
    this.#components.logger.warn(`RPC: incorrect password attempt from ${remote}${user === undefined ? '' : ` (user "${user}")`}`)
    this.#init.onAuthFailure?.({ remote, user })
    const delayMs = this.#init.authFailureDelayMs ?? AUTH_FAILURE_DELAY_MS
    await new Promise<void>((resolve) => { this.#components.clock.setTimeout(resolve, delayMs) })
    if (!res.destroyed) sendText(res, 401, 'Unauthorized\n', { ...WWW_AUTHENTICATE, Connection: 'close' })
  }
}
