import type { Socket } from 'node:net'
import { addrKey, type NetAddress } from '../netaddr/netaddress.ts'
import type { EventSink } from '../util/event-bus.ts'
import type { NodeEventMap } from './events.ts'
import type { Sessions } from './sessions.ts'

/**
 * The listener's onAccept: an admitted socket becomes an inbound session (registered at once, so it
 * holds its slot while it handshakes); its handshake and, after one, its departure are announced.
 */
export function acceptInbound (c: { sessions: Sessions, events: EventSink<NodeEventMap> }): (socket: Socket, remote: NetAddress) => void {
  return (socket, remote) => {
    const key = addrKey(remote)
    const { id, session: peer } = c.sessions.open(socket, remote, 'inbound')
    peer.handshake().then(() => {
      c.events.emit('inbound_connected', { addr: key, id, direction: 'inbound' })
      peer.once('close', (reason) => {
        c.events.emit('inbound_disconnected', { addr: key, id, direction: 'inbound', reason })
      })
    }, () => { /* refused or timed out: the session's events say why */ })
  }
}
