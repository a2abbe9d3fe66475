import { connect, type Socket } from 'node:net'
import type { HostPort } from '../netaddr/netaddress.ts'
import { DnsAnswerFormatError } from './errors.ts'

/** Bytes of the length prefix that frames a DNS message on TCP (RFC 1035 §4.2.2). */
const TCP_LENGTH_PREFIX_BYTES = 2

/**
 * One DNS exchange over TCP: sends `query` with its length prefix and returns the first answer message
 * (the prefix bounds it to 65,535 bytes). The socket is closed when it settles or
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
    const answer = await readDnsTcpMessage(socket)
    signal.throwIfAborted() // a destroyed socket may end the reader before the abort reason reaches it
    return answer
  } finally {
    signal.removeEventListener('abort', onAbort)
    socket.destroy()
  }
}

/**
 * The first DNS message on a TCP stream, framed by its 2-byte length prefix (so at most 65,535 bytes are
 * kept). Rejects with the socket's error, or DnsAnswerFormatError when the stream ends before the message does.
 */
export function readDnsTcpMessage (socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    const finish = (settle: () => void): void => {
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('close', onClose)
      settle()
    }
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk)
      received += chunk.length
      if (received < TCP_LENGTH_PREFIX_BYTES) return
      const joined = chunks.length === 1 ? chunk : Buffer.concat(chunks)
      chunks.length = 0
      chunks.push(joined)
      const length = joined.readUInt16BE(0)
      if (received < TCP_LENGTH_PREFIX_BYTES + length) return
      finish(() => { resolve(joined.subarray(TCP_LENGTH_PREFIX_BYTES, TCP_LENGTH_PREFIX_BYTES + length)) })
    }
    const onError = (err: Error): void => { finish(() => { reject(err) }) }
    const onClose = (): void => {
      finish(() => { reject(new DnsAnswerFormatError(`the TCP stream ended after ${Math.max(0, received - TCP_LENGTH_PREFIX_BYTES)} bytes of a DNS message`)) })
    }
    socket.on('data', onData)
    socket.once('error', onError)
    socket.once('close', onClose)
  })
}
