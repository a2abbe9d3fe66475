import { connect, type Socket } from 'node:net'
import { MessageDecoder } from '../../src/wire/decoder.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { ProtocolError } from '../../src/wire/errors.ts'
import type { KnownMessage, Message } from '../../src/wire/messages.ts'

export type WireItem = Message | ProtocolError

/**
 * A scripted Bitcoin P2P client over real TCP for tests: send typed messages or raw bytes, and wait for
 * what the other side sends, decoded by the project's own MessageDecoder.
 */
export interface WireClient {
  readonly socket: Socket
  /** Everything decoded so far, protocol errors included, in arrival order. */
  readonly received: readonly WireItem[]
  /** Raw bytes received so far. */
  readonly bytesReceived: number
  readonly isClosed: boolean
  send(message: KnownMessage): void
  sendRaw(bytes: Uint8Array): void
  /** The next received item (after those already returned by next) that matches; rejects if the socket closes first. */
  next<T extends WireItem = WireItem>(match?: (item: WireItem) => boolean): Promise<T>
  /** Resolves when the other side has closed the connection. */
  readonly closed: Promise<void>
  close(): void
}

export const isCommand = (command: string) => (item: WireItem): boolean => !(item instanceof ProtocolError) && item.command === command

/** `localAddress` binds the client to one of 127.0.0.0/8's addresses, so a test can come from any /16. */
export async function connectWireClient (addr: { host: string, port: number }, magic: Uint8Array, localAddress?: string): Promise<WireClient> {
  const socket = connect({ host: addr.host, port: addr.port, ...(localAddress === undefined ? {} : { localAddress }) })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => { socket.off('error', reject); resolve() })
    socket.once('error', reject)
  })
  socket.setNoDelay(true)
  socket.on('error', () => { /* resets by the server end the test's waits through 'close' */ })
  const decoder = new MessageDecoder(magic)
  const received: WireItem[] = []
  let cursor = 0
  let bytes = 0
  let isClosed = false
  const waiters = new Set<() => void>()
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      isClosed = true
      resolve()
      for (const w of [...waiters]) w()
    })
  })
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    received.push(...decoder.push(chunk))
    for (const w of [...waiters]) w()
  })
  return {
    socket,
    received,
    get bytesReceived () { return bytes },
    get isClosed () { return isClosed },
    send: (message) => { socket.write(encodeMessage(magic, message)) },
    sendRaw: (raw) => { socket.write(raw) },
    next: async <T extends WireItem>(match: (item: WireItem) => boolean = () => true): Promise<T> => await new Promise<T>((resolve, reject) => {
      const check = (): void => {
        for (let i = cursor; i < received.length; i++) {
          const item = received[i] as WireItem
          if (match(item)) {
            cursor = i + 1
            waiters.delete(check)
            resolve(item as T)
            return
          }
        }
        if (isClosed) {
          waiters.delete(check)
          reject(new Error(`connection closed after ${received.length} items without the one awaited`))
        }
      }
      waiters.add(check)
      check()
    }),
    closed,
    close: () => { socket.destroy() }
  }
}
