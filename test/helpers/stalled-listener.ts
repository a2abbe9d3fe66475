import { spawn } from 'node:child_process'
import { connect, type Socket } from 'node:net'

/** The child gives up after this long, should a test forget to stop it. */
const CHILD_LIFETIME_MS = 120_000
/** Connections that fill a backlog-1 accept queue (the kernel allows backlog + 1). */
const FILLER_CONNECTIONS = 2

// Listens with backlog 1, reports its port synchronously, then blocks its event loop so nothing is accepted.
const CHILD_SCRIPT = `
const net = require('node:net'); const fs = require('node:fs')
const server = net.createServer()
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  fs.writeSync(1, server.address().port + '\\n')
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${CHILD_LIFETIME_MS})
})`

/**
 * A loopback port where TCP connects hang, as they do towards a host that drops SYNs: a child process
 * listens with backlog 1 and never accepts, and two filler connections fill its queue, so the kernel
 * drops further SYNs. Real sockets, no mocks: the way to exercise connect timeouts on 127.0.0.1.
 */
export async function startStalledListener (): Promise<{ port: number, close(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', CHILD_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.stdout?.once('data', (chunk: Buffer) => { resolve(Number(chunk.toString().trim())) })
  })
  const fillers: Socket[] = []
  for (let i = 0; i < FILLER_CONNECTIONS; i++) {
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('error', () => { /* reset when the child dies */ })
    await new Promise<void>((resolve) => socket.once('connect', () => { resolve() }))
    fillers.push(socket)
  }
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy()
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve() }))
        child.kill('SIGKILL')
        await exited
      }
    }
  }
}
