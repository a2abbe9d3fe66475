import { createServer, type Server, type Socket } from 'node:net'
import type { BanList } from '../banlist/ban-list.ts'
import type { BanTarget } from '../banlist/ban-target.ts'
import type { Logger } from '../log/logger.ts'
import { addrKey, toNetAddress } from '../netaddr/netaddress.ts'
import type { ListenAddress } from './config.ts'
import type { Sessions } from './sessions.ts'
import { isWhitelisted } from './whitelist.ts'
import { NamedError } from '../util/errors.ts'

/** A listening address that could not be bound (in use, not ours, no permission). */
export class ListenError extends NamedError {}

/** Binds one server per --listen address; all or none (a failure closes those already bound). */
export async function listenAll (addresses: readonly ListenAddress[]): Promise<Server[]> {
  const servers: Server[] = []
  try {
    for (const address of addresses) {
      const server = createServer({ noDelay: true })
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          const where = address.host === undefined ? `port ${address.port}` : addrKey({ host: address.host, port: address.port })
          reject(new ListenError(`--listen: cannot listen on ${where} (${err.code ?? err.message})`))
        })
        server.listen({ port: address.port, ...(address.host === undefined ? {} : { host: address.host }) }, resolve)
      })
    }
  } catch (err) {
    for (const server of servers) server.close()
    throw err
  }
  return servers
}

export interface InboundComponents {
  logger: Logger
  sessions: Sessions
  banList: BanList
}

/**
 * The connection manager's onAccept: a banned address is dropped before a byte is read (unless
 * whitelisted); anyone else gets an inbound session, which counts once its handshake is done.
 */
export function acceptInbound (c: InboundComponents, whitelist: readonly BanTarget[]): (socket: Socket) => void {
  return (socket) => {
    const addr = toNetAddress(socket.remoteAddress ?? '', socket.remotePort ?? 0)
    if (addr === undefined) {
      socket.destroy()
      return
    }
    const key = addrKey(addr)
    if (c.banList.isBanned(addr.host) && !isWhitelisted(whitelist, addr.host)) {
      c.logger.event('inbound_refused', { addr: key, direction: 'inbound', reason: 'banned' }, `refused inbound ${key}: banned`)
      socket.destroy()
      return
    }
    const { peer } = c.sessions.open(socket, addr, 'inbound', false)
    peer.handshake().then(() => {
      c.logger.event('inbound_connected', { addr: key, id: peer.id, direction: 'inbound' }, `inbound peer ${key} connected`)
      peer.once('close', (reason) => {
        c.logger.event('inbound_disconnected', { addr: key, id: peer.id, direction: 'inbound', reason }, `inbound peer ${key} disconnected: ${reason}`)
      })
    }, () => { /* refused or timed out: the session logged why */ })
  }
}
