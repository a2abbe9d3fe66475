import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { Logger } from '../log/logger.ts'
import { addrKey, type HostPort } from '../netaddr/netaddress.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { Startable } from '../util/startable.ts'
import { HttpListenError } from './errors.ts'
import { httpLimits, type HttpLimits } from './limits.ts'
import { sendText } from './reply.ts'

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

export interface BoundedHttpServerComponents {
  clock: Clock
  logger: Logger
}

export interface BoundedHttpServerInit {
  /** Names the server in logs and errors ("RPC", "metrics"). */
  name: string
  listen: readonly HostPort[]
  handler: HttpHandler
  limits?: Partial<HttpLimits>
  /** Checked on every request before the handler; a refused client IP gets 403 (Core's -rpcallowip check). */
  allowRemote?: (ip: string) => boolean
}

interface Connection {
  readonly socket: Socket
  timer: TimerHandle | undefined
  busy: boolean
}

/**
 * An HTTP/1.1 server on one or more addresses under HttpLimits: one node:http parser shared by every
 * bound address, so the connection cap counts all of them; per-connection deadlines for the request
 * head, the whole request and keep-alive idling run on the injected clock.
 */
export class BoundedHttpServer implements Startable {
  readonly limits: HttpLimits
  readonly #components: BoundedHttpServerComponents
  readonly #init: BoundedHttpServerInit
  readonly #connections = new Map<Socket, Connection>()
  #http: HttpServer | undefined
  #listeners: NetServer[] = []
  #stopping = false

  constructor (components: BoundedHttpServerComponents, init: BoundedHttpServerInit) {
    this.#components = components
    this.#init = init
    this.limits = httpLimits(init.limits)
  }

  /** The bound addresses (with the actual port when 0 was asked for), in the order given. */
  addresses (): HostPort[] {
    return this.#listeners.map((l) => {
      const a = l.address()
      if (a === null || typeof a === 'string') throw new Error(`${this.#init.name} server has no TCP address`)
      return { host: a.address, port: a.port }
    })
  }

  get connectionCount (): number {
    return this.#connections.size
  }

  /**
   * Marks `res` as a long-lived stream (Server-Sent Events): its connection's request deadline is lifted,
   * and the handler becomes responsible for bounding it (its buffer, its lifetime). Still counted in the
   * connection cap, and still cut by stop().
   */
  streaming (res: ServerResponse): void {
    const connection = this.#connections.get(res.req.socket)
    if (connection !== undefined) this.#disarm(connection)
  }

  async start (): Promise<void> {
    if (this.#http !== undefined) return
    this.#stopping = false
    // node:http's own clocks are off: the deadlines below run on the injected clock instead.
    this.#http = createHttpServer({ maxHeaderSize: this.limits.maxHeaderBytes, requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0 })
    this.#http.maxRequestsPerSocket = this.limits.maxRequestsPerConnection
    this.#http.on('request', (req: IncomingMessage, res: ServerResponse) => { this.#onRequest(req, res) })
    this.#http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      // A malformed or oversized head gets a status line, as node:http's default would send, then the close.
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'
      // The connection's deadline still cuts a client that never reads the reply.
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
      else socket.destroy()
    })
    try {
      for (const address of this.#init.listen) this.#listeners.push(await this.#bind(address))
    } catch (err) {
      await this.stop()
      throw err
    }
  }

  async stop (): Promise<void> {
    if (this.#http === undefined) return
    this.#stopping = true
    const closing = this.#listeners.map(async (l) => { await new Promise<void>((resolve) => l.close(() => { resolve() })) })
    this.#listeners = []
    for (const c of this.#connections.values()) if (!c.busy) c.socket.destroy()
    if (this.#connections.size > 0) {
      // Requests in flight (an RPC `stop` among them) get a short grace to send their replies.
      await new Promise<void>((resolve) => {
        const grace = this.#components.clock.setTimeout(() => {
          for (const c of this.#connections.values()) c.socket.destroy()
        }, this.limits.shutdownGraceMs)
        const check = (): void => {
          if (this.#connections.size > 0) return
          this.#components.clock.clearTimeout(grace)
          resolve()
        }
        for (const c of this.#connections.values()) c.socket.once('close', () => { setImmediate(check) })
      })
    }
    await Promise.all(closing)
    this.#http = undefined
  }

  async #bind (address: HostPort): Promise<NetServer> {
    const listener = createNetServer((socket) => { this.#onConnection(socket) })
    await new Promise<void>((resolve, reject) => {
      listener.once('error', (err: NodeJS.ErrnoException) => {
        reject(new HttpListenError(`${this.#init.name}: cannot listen on ${addrKey(address)} (${err.code ?? err.message})`))
      })
      listener.listen({ host: address.host, port: address.port }, () => { resolve() })
    })
    listener.on('error', (err) => { this.#components.logger.error(`${this.#init.name} listener error: ${err.message}`) })
    return listener
  }

  #onConnection (socket: Socket): void {
    if (this.#stopping || this.#connections.size >= this.limits.maxConnections) {
      this.#components.logger.debug(`${this.#init.name}: refusing a connection from ${socket.remoteAddress ?? '?'} (${this.#connections.size} open, limit ${this.limits.maxConnections})`)
      socket.destroy()
      return
    }
    const connection: Connection = { socket, timer: undefined, busy: false }
    this.#connections.set(socket, connection)
    this.#arm(connection, this.limits.headersTimeoutMs)
    socket.on('error', () => { /* reported by 'close'; a reset by the client is routine */ })
    socket.once('close', () => {
      this.#disarm(connection)
      this.#connections.delete(socket)
    })
    this.#http?.emit('connection', socket)
  }

  #onRequest (req: IncomingMessage, res: ServerResponse): void {
    const connection = this.#connections.get(req.socket)
    if (connection === undefined) {
      req.socket.destroy()
      return
    }
    connection.busy = true
    this.#arm(connection, this.limits.requestTimeoutMs)
    res.once('close', () => {
      connection.busy = false
      if (this.#stopping) connection.socket.destroy()
      else if (!connection.socket.destroyed) this.#arm(connection, this.limits.keepAliveIdleMs)
    })
    if (this.#stopping) res.setHeader('Connection', 'close')
    const ip = req.socket.remoteAddress ?? ''
    if (this.#init.allowRemote !== undefined && !this.#init.allowRemote(ip)) {
      this.#components.logger.warn(`${this.#init.name}: refused a request from ${ip}: not in the allow list`)
      sendText(res, 403, 'Forbidden: your address is not allowed\n', { Connection: 'close' })
      return
    }
    Promise.resolve()
      .then(async () => { await this.#init.handler(req, res) })
      .catch((err: unknown) => {
        this.#components.logger.error(`${this.#init.name}: handler failed on ${req.method ?? '?'} ${req.url ?? '?'}: ${(err as Error).message}`)
        if (!res.headersSent) sendText(res, 500, 'Internal Server Error\n', { Connection: 'close' })
        else res.destroy()
      })
  }

  /** (Re)starts the connection's single deadline; when it passes, the connection is cut. */
  #arm (connection: Connection, ms: number): void {
    this.#disarm(connection)
    connection.timer = this.#components.clock.setTimeout(() => {
      connection.timer = undefined
      this.#components.logger.debug(`${this.#init.name}: cutting a connection from ${connection.socket.remoteAddress ?? '?'} after ${ms} ms`)
      connection.socket.destroy()
    }, ms)
  }

  #disarm (connection: Connection): void {
    if (connection.timer !== undefined) this.#components.clock.clearTimeout(connection.timer)
    connection.timer = undefined
  }
}
