import { request, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'

export interface HttpReply {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

export interface HttpRequestOptions {
  method?: string
  path?: string
  headers?: Record<string, string | number>
  body?: string | Buffer
  /** Basic auth as USER:PASSWORD. */
  auth?: string
}

/** One HTTP request to 127.0.0.1:port on a fresh connection (no agent), collecting the whole reply. */
export async function httpRequest (port: number, options: HttpRequestOptions = {}): Promise<HttpReply> {
  const headers: Record<string, string | number> = { ...options.headers }
  if (options.auth !== undefined) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`
  if (options.body !== undefined && headers['Content-Length'] === undefined) headers['Content-Length'] = Buffer.byteLength(options.body)
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? '/', headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** A JSON-RPC POST with `auth`; the reply body parsed when it is JSON. */
export async function rpcPost (port: number, auth: string, payload: unknown): Promise<HttpReply & { json: unknown }> {
  const reply = await httpRequest(port, { auth, body: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'Content-Type': 'application/json' } })
  return { ...reply, json: reply.headers['content-type'] === 'application/json' ? JSON.parse(reply.body) : undefined }
}

/**
 * Sends a raw request head, then body chunks one per I/O turn until the server answers or closes:
 * shows what a server does to an upload it refuses part-way (a normal client may see a reset instead).
 * Resolves with the status of the reply, or 0 if the server closed without one.
 */
export async function rawUpload (port: number, head: string, chunks: Iterable<Buffer>): Promise<number> {
  const socket = connect({ host: '127.0.0.1', port })
  let received = ''
  let ended = false
  socket.on('data', (c: Buffer) => { received += c.toString('latin1') })
  socket.on('error', () => { /* a reset after the reply is expected */ })
  socket.on('close', () => { ended = true })
  await new Promise<void>((resolve) => socket.once('connect', () => { resolve() }))
  socket.write(head)
  for (const chunk of chunks) {
    if (ended || received.includes('\r\n\r\n')) break
    socket.write(chunk)
    await new Promise((resolve) => setImmediate(resolve))
  }
  while (!ended && !received.includes('\r\n\r\n')) await new Promise((resolve) => setImmediate(resolve))
  socket.destroy()
  const status = /^HTTP\/1\.1 (\d{3})/.exec(received)
  return status === null ? 0 : Number(status[1])
}
