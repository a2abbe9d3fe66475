import type { Server, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { readDnsTcpMessage } from '../../src/discovery/dns-tcp.ts'
import { DnsAnswerFormatError } from '../../src/discovery/errors.ts'
import { connectLoopback, listenLoopback } from '../helpers/loopback-listener.ts'

/** A loopback server that writes `pieces` to each connection, one per tick, then ends it (or leaves it open). */
async function serve (pieces: readonly Buffer[], end: boolean): Promise<{ server: Server, client: Socket }> {
  const { server, port } = await listenLoopback()
  server.on('connection', (socket) => {
    let i = 0
    const next = (): void => {
      const piece = pieces[i++]
      if (piece !== undefined) socket.write(piece, () => { setImmediate(next) })
      else if (end) socket.end()
    }
    next()
  })
  return { server, client: await connectLoopback(port) }
}

const framed = (message: Buffer): Buffer => Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message])

describe('readDnsTcpMessage', () => {
  let open: { server: Server, client: Socket } | undefined
  afterEach(() => {
    open?.client.destroy()
    open?.server.close()
    open = undefined
  })

  it('returns the first message, whole, however the stream splits it, and nothing of what follows', async () => {
    const message = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff))
    const stream = Buffer.concat([framed(message), framed(Buffer.from('second'))])
    // Split inside the length prefix, inside the message and across the boundary to the next one.
    open = await serve([stream.subarray(0, 1), stream.subarray(1, 2), stream.subarray(2, 100), stream.subarray(100, 305)], false)
    expect((await readDnsTcpMessage(open.client)).equals(message)).toBe(true)
  })

  it('fails with DnsAnswerFormatError when the stream ends inside the message or its prefix', async () => {
    open = await serve([framed(Buffer.alloc(40)).subarray(0, 30)], true)
    await expect(readDnsTcpMessage(open.client)).rejects.toThrow(new DnsAnswerFormatError('the TCP stream ended after 28 bytes of a DNS message'))
    open.client.destroy()
    open.server.close()
    open = await serve([Buffer.from([0])], true)
    await expect(readDnsTcpMessage(open.client)).rejects.toThrow(DnsAnswerFormatError)
  })
})
