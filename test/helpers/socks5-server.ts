import { connect, createServer, isIPv4, type Server, type Socket } from 'node:net'
import { bytesToIp, ipToBytes } from '../../src/netaddr/netaddress.ts'
import { SocketReader } from '../../src/transport/socket-reader.ts'

/** One request the server received, for assertions (credentials are recorded to check isolation). */
export interface Socks5Request {
  command: 'connect' | 'resolve' | number
  host: string
  port: number
  username?: string
  password?: string
}

export interface Socks5ServerInit {
  /** Require username/password (RFC 1929) with exactly these values. */
  users?: { username: string, password: string }
  /** How CONNECT is answered: relay to the loopback target, refuse with status 5, or never reply. */
  connect?: 'relay' | 'refuse' | 'stall'
  /** Domain destinations (e.g. .onion names) and where on loopback they lead; others get status 4. */
  names?: Record<string, { host: string, port: number }>
  /** RESOLVE (0xF0) answers: an address, or a status code. Unknown names get status 4, like Tor. */
  resolve?: Record<string, string | number>
}

export interface Socks5Server {
  port: number
  requests: Socks5Request[]
  close(): Promise<void>
}

const REPLY_OK = 0x00
const REPLY_NOT_ALLOWED = 0x02
const REPLY_HOST_UNREACHABLE = 0x04
const REPLY_REFUSED = 0x05
const REPLY_COMMAND_UNSUPPORTED = 0x07

function reply (status: number, address = '0.0.0.0'): Buffer {
  const bytes = ipToBytes(address)
  return Buffer.concat([Buffer.from([0x05, status, 0x00, bytes.length === 4 ? 0x01 : 0x04]), bytes, Buffer.from([0, 0])])
}

async function readAddress (reader: SocketReader, atyp: number): Promise<string> {
  if (atyp === 0x01) return bytesToIp(await reader.read(4))
  if (atyp === 0x04) return bytesToIp(await reader.read(16))
  const length = (await reader.read(1))[0] ?? 0
  return (await reader.read(length)).toString('utf8')
}

/**
 * A small SOCKS5 server on 127.0.0.1 for tests: no-auth or username/password, CONNECT relayed only to
 * loopback targets (anything else is refused with "not allowed"), and Tor's RESOLVE from a table.
 * Like Tor, it picks username/password whenever the client offers it, so isolation credentials are seen.
 */
export async function startSocks5Server (init: Socks5ServerInit = {}): Promise<Socks5Server> {
  const requests: Socks5Request[] = []
  const sockets = new Set<Socket>()

  const session = async (client: Socket): Promise<void> => {
    const reader = new SocketReader(client)
    const [, count = 0] = await reader.read(2)
    const methods = [...await reader.read(count)]
    const method = methods.includes(0x02) ? 0x02 : init.users === undefined && methods.includes(0x00) ? 0x00 : 0xff
    client.write(Buffer.from([0x05, method]))
    if (method === 0xff) { client.end(); return }
    let username: string | undefined
    let password: string | undefined
    if (method === 0x02) {
      await reader.read(1)
      username = (await reader.read((await reader.read(1))[0] ?? 0)).toString('utf8')
      password = (await reader.read((await reader.read(1))[0] ?? 0)).toString('utf8')
      const ok = init.users === undefined || (init.users.username === username && init.users.password === password)
      client.write(Buffer.from([0x01, ok ? 0x00 : 0x01]))
      if (!ok) { client.end(); return }
    }
    const [, command = 0, , atyp = 0] = await reader.read(4)
    const host = await readAddress(reader, atyp)
    const port = (await reader.read(2)).readUInt16BE(0)
    requests.push({ command: command === 0x01 ? 'connect' : command === 0xf0 ? 'resolve' : command, host, port, ...(username === undefined ? {} : { username, password }) })

    if (command === 0xf0) {
      const answer = init.resolve?.[host] ?? REPLY_HOST_UNREACHABLE
      client.end(typeof answer === 'number' ? reply(answer) : reply(REPLY_OK, answer))
      return
    }
    if (command !== 0x01) { client.end(reply(REPLY_COMMAND_UNSUPPORTED)); return }
    if (init.connect === 'stall') return
    if (init.connect === 'refuse') { client.end(reply(REPLY_REFUSED)); return }
    const target = atyp === 0x03 ? init.names?.[host] : { host, port }
    if (target === undefined) { client.end(reply(REPLY_HOST_UNREACHABLE)); return }
    // The test network is loopback only: never relay anywhere else.
    if (!isIPv4(target.host) || !target.host.startsWith('127.')) { client.end(reply(REPLY_NOT_ALLOWED)); return }
    const upstream = connect({ host: target.host, port: target.port })
    sockets.add(upstream)
    upstream.once('error', () => { client.end(reply(REPLY_REFUSED)) })
    upstream.once('connect', () => {
      client.write(reply(REPLY_OK, '127.0.0.1'))
      const rest = reader.release()
      if (rest.length > 0) upstream.write(rest)
      client.pipe(upstream).pipe(client)
    })
  }

  const server: Server = createServer((client) => {
    sockets.add(client)
    client.on('error', () => { /* clients vanish mid-handshake in the abort tests */ })
    client.once('close', () => { sockets.delete(client) })
    session(client).catch(() => { client.destroy() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('socks5 server: no TCP address')
  return {
    port: address.port,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}
