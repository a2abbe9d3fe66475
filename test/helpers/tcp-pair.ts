import { createServer, connect, type Socket } from 'node:net'

/**
 * Two ends of one real TCP connection on 127.0.0.1 (the listener is closed once accepted).
 * `close()` destroys both ends.
 */
export async function tcpPair (): Promise<{ client: Socket, server: Socket, close: () => void }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('tcpPair: listener has no TCP address')
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
  const client = connect({ host: '127.0.0.1', port: address.port })
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve)
    client.once('error', reject)
  })
  const serverEnd = await accepted
  server.close()
  for (const s of [client, serverEnd]) {
    s.setNoDelay(true)
    s.on('error', () => { /* resets are expected when a test's peer closes; 'close' tells the test */ })
  }
  return { client, server: serverEnd, close: () => { client.destroy(); serverEnd.destroy() } }
}
