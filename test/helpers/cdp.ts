import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import type { Socket } from 'node:net'

/**
 * A minimal Chrome DevTools Protocol client: one WebSocket (RFC 6455, spoken over node:http's upgrade;
 * node 20 has no WebSocket client and `ws` is not a dependency) and JSON commands over it. Enough for
 * tests: send a command, await its result, and hear events.
 */
export class CdpSession {
  readonly #socket: Socket
  readonly #pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  readonly #listeners = new Set<(method: string, params: Record<string, unknown>) => void>()
  #buffer = Buffer.alloc(0)
  #fragments: Buffer[] = []
  #nextId = 1

  private constructor (socket: Socket, head: Buffer) {
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => { this.#onData(chunk) })
    socket.on('close', () => {
      for (const p of this.#pending.values()) p.reject(new Error('DevTools connection closed'))
      this.#pending.clear()
    })
    if (head.length > 0) this.#onData(head)
  }

  static async connect (wsUrl: string): Promise<CdpSession> {
    const url = new URL(wsUrl)
    return await new Promise((resolve, reject) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') }
      })
      req.once('upgrade', (_res, socket, head) => { resolve(new CdpSession(socket, head)) })
      req.once('response', (res) => { reject(new Error(`DevTools refused the WebSocket: HTTP ${res.statusCode ?? '?'}`)) })
      req.once('error', reject)
      req.end()
    })
  }

  async send<T = Record<string, unknown>> (method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++
    const result = new Promise<unknown>((resolve, reject) => { this.#pending.set(id, { resolve, reject }) })
    this.#writeFrame(Buffer.from(JSON.stringify({ id, method, params })))
    return await result as T
  }

  /** Evaluates `expression` in the page and returns its value (JSON-serializable results only). */
  async evaluate<T> (expression: string): Promise<T> {
    const reply = await this.send<{ result: { value: T }, exceptionDetails?: { text: string, exception?: { description?: string } } }>(
      'Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })
    if (reply.exceptionDetails !== undefined) throw new Error(`page threw: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`)
    return reply.result.value
  }

  onEvent (listener: (method: string, params: Record<string, unknown>) => void): void {
    this.#listeners.add(listener)
  }

  close (): void {
    this.#socket.destroy()
  }

  /** A client frame: FIN + text opcode, masked as RFC 6455 requires of clients. */
  #writeFrame (payload: Buffer): void {
    const mask = randomBytes(4)
    const len = payload.length
    const header = len < 126 ? Buffer.from([0x81, 0x80 | len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10)
    if (len >= 126 && len < 65536) { header[0] = 0x81; header[1] = 0x80 | 126; header.writeUInt16BE(len, 2) }
    if (len >= 65536) { header[0] = 0x81; header[1] = 0x80 | 127; header.writeBigUInt64BE(BigInt(len), 2) }
    const masked = Buffer.from(payload)
    for (let i = 0; i < masked.length; i++) masked[i] = (masked[i] as number) ^ (mask[i % 4] as number)
    this.#socket.write(Buffer.concat([header, mask, masked]))
  }

  #onData (chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk])
    for (;;) {
      if (this.#buffer.length < 2) return
      const b0 = this.#buffer[0] as number
      const b1 = this.#buffer[1] as number
      let len = b1 & 0x7f
      let offset = 2
      if (len === 126) {
        if (this.#buffer.length < 4) return
        len = this.#buffer.readUInt16BE(2)
        offset = 4
      } else if (len === 127) {
        if (this.#buffer.length < 10) return
        len = Number(this.#buffer.readBigUInt64BE(2))
        offset = 10
      }
      if (this.#buffer.length < offset + len) return
      const payload = this.#buffer.subarray(offset, offset + len)
      this.#buffer = this.#buffer.subarray(offset + len)
      const opcode = b0 & 0x0f
      if (opcode === 0x8) { this.#socket.end(); return }
      if (opcode === 0x9 || opcode === 0xa) continue
      this.#fragments.push(Buffer.from(payload))
      if ((b0 & 0x80) === 0) continue
      const text = Buffer.concat(this.#fragments).toString('utf8')
      this.#fragments = []
      this.#onMessage(JSON.parse(text) as { id?: number, result?: unknown, error?: { message: string }, method?: string, params?: Record<string, unknown> })
    }
  }

  #onMessage (msg: { id?: number, result?: unknown, error?: { message: string }, method?: string, params?: Record<string, unknown> }): void {
    if (msg.id !== undefined) {
      const p = this.#pending.get(msg.id)
      this.#pending.delete(msg.id)
      if (msg.error !== undefined) p?.reject(new Error(msg.error.message))
      else p?.resolve(msg.result)
      return
    }
    if (msg.method !== undefined) for (const l of this.#listeners) l(msg.method, msg.params ?? {})
  }
}
