import { connect, createServer, type Server, type Socket } from 'node:net'

/** A net.Server listening on 127.0.0.1 on a free port. */
export async function listenLoopback (): Promise<{ server: Server, port: number }> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('listenLoopback: no TCP address')
  return { server, port: address.port }
}

/** A client socket connected to 127.0.0.1:port; resets by the server are expected and ignored. */
export async function connectLoopback (port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.on('error', () => { /* the server closing a rejected socket may reset it; 'close' tells the test */ })
  return socket
}

/** Resolves once the socket has emitted 'close' (`closed` turns true earlier, at destroy()). */
export async function closed (socket: Socket): Promise<void> {
  if ((socket as unknown as { _readableState: { closeEmitted: boolean } })._readableState.closeEmitted) return
  await new Promise<void>((resolve) => socket.once('close', () => { resolve() }))
}

/** A port on 127.0.0.1 where nothing listens: connecting to it is refused. */
export async function refusedPort (): Promise<number> {
  const { server, port } = await listenLoopback()
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  return port
}

/** An onAccept callback that records sockets; `next()` resolves with the next one to arrive. */
export function acceptQueue (): { onAccept: (socket: Socket) => void, accepted: Socket[], next: () => Promise<Socket> } {
  const accepted: Socket[] = []
  const waiters: Array<(s: Socket) => void> = []
  return {
    accepted,
    onAccept: (socket) => {
      accepted.push(socket)
      waiters.shift()?.(socket)
    },
    next: async () => await new Promise((resolve) => waiters.push(resolve))
  }
}
