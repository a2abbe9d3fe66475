import { connect } from 'node:net'
import type { HostPort } from '../netaddr/netaddress.ts'
import { loadDnsPacket } from './dns-packet.ts'

/** Bytes of the length prefix that frames a DNS message on TCP (RFC 1035 §4.2.2). */
const TCP_LENGTH_PREFIX_BYTES = 2

/**
 * One DNS exchange over TCP: sends `query` with its length prefix and returns the first answer message
 * (dns2's stream reader; the prefix bounds it to 65,535 bytes). The socket is closed when it settles or
 * `signal` aborts; time limits come from `signal`.
 */
export async function exchangeTcp (server: HostPort, query: Buffer, signal: AbortSignal): Promise<Buffer> {
  signal.throwIfAborted()
  const socket = connect({ host: server.host, port: server.port })
  const onAbort = (): void => { socket.destroy(signal.reason as Error) }
  signal.addEventListener('abort', onAbort, { once: true })
  // An 'error' without a listener would crash the process; the reader below reports it.
  socket.on('error', () => {})
  try {
    const prefix = Buffer.alloc(TCP_LENGTH_PREFIX_BYTES)
    prefix.writeUInt16BE(query.length)
    socket.write(Buffer.concat([prefix, query]))
    const answer = await (await loadDnsPacket()).readStream(socket)
    signal.throwIfAborted() // a destroyed socket may end the reader before the abort reason reaches it
    return answer
  } finally {
    signal.removeEventListener('abort', onAbort)
    socket.destroy()
  }
}
