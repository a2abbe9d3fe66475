import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { nullLogger } from '../../src/log/logger.ts'
import { RpcClient } from '../../src/rpc/client.ts'
import { readCookie } from '../../src/rpc/cookie.ts'
import { RpcError } from '../../src/rpc/errors.ts'
import { rpcMethod } from '../../src/rpc/methods.ts'
import { RpcServer } from '../../src/rpc/server.ts'
import { systemClock } from '../../src/util/clock.ts'
import { systemRandom } from '../../src/util/random.ts'
import { listenLoopback, refusedPort } from '../helpers/loopback-listener.ts'
import { useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

describe('RpcClient against RpcServer on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-rpc-client-'))
  let server: RpcServer
  let port: number

  beforeAll(async () => {
    server = new RpcServer({ clock: systemClock, logger: nullLogger, random: systemRandom }, {
      listen: [{ host: '127.0.0.1', port: 0 }],
      cookieDir: dir,
      authFailureDelayMs: 1,
      methods: {
        getconnectioncount: rpcMethod({ params: [], help: 'Counts.', handler: () => 7 }),
        disconnectnode: rpcMethod({
          params: [{ name: 'address', type: 'string', optional: true }, { name: 'nodeid', type: 'number', optional: true }],
          help: 'Drops a peer.',
          handler: () => { throw new RpcError(-29, 'Node not found in connected nodes') }
        })
      }
    })
    await server.start()
    port = server.addresses()[0]?.port ?? 0
  })
  afterAll(async () => {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  afterEach(() => { vi.useRealTimers() })

  const client = async (init: Partial<ConstructorParameters<typeof RpcClient>[1]> = {}): Promise<RpcClient> => {
    const auth = await readCookie(dir)
    return new RpcClient({ clock: systemClock }, { host: '127.0.0.1', port, ...(auth === undefined ? {} : { auth }), ...init })
  }

  it('returns the result of a call made with the datadir\'s cookie', async () => {
    expect(await (await client()).call('getconnectioncount')).toBe(7)
  })

  it('throws RpcResponseError with the node\'s code and message', async () => {
    await expect((await client()).call('disconnectnode', ['1.2.3.4:8333'])).rejects.toMatchObject({ name: 'RpcResponseError', code: -29, message: 'Node not found in connected nodes' })
    await expect((await client()).call('nosuch')).rejects.toMatchObject({ name: 'RpcResponseError', code: -32601 })
    await expect((await client()).call('disconnectnode', { nodeid: 'x' })).rejects.toMatchObject({ code: -32602 })
  })

  it('throws AuthError for wrong or missing credentials', async () => {
    await expect((await client({ auth: { user: '__cookie__', password: 'nope' } })).call('getconnectioncount')).rejects.toMatchObject({ name: 'AuthError' })
    const anonymous = new RpcClient({ clock: systemClock }, { host: '127.0.0.1', port })
    await expect(anonymous.call('getconnectioncount')).rejects.toThrow(/refused the login/)
  })

  it('throws NoNodeRunningError naming HOST:PORT when nothing listens', async () => {
    const free = await refusedPort()
    const c = new RpcClient({ clock: systemClock }, { host: '127.0.0.1', port: free, auth: { user: 'a', password: 'b' } })
    await expect(c.call('uptime')).rejects.toMatchObject({ name: 'NoNodeRunningError', message: `no node is running on 127.0.0.1:${free} (is \`peerkeeper run\` up with this --datadir/--network?)` })
  })

  it('gives up after its timeout on the clock when the node never answers', async () => {
    useFakeTimersWithRealIo(0)
    const { server: silent, port: silentPort } = await listenLoopback()
    let accepted = false
    silent.on('connection', () => { accepted = true })
    try {
      const c = new RpcClient({ clock: systemClock }, { host: '127.0.0.1', port: silentPort, auth: { user: 'a', password: 'b' }, timeoutMs: 5_000 })
      const pending = c.call('uptime')
      pending.catch(() => {})
      while (!accepted) await new Promise((resolve) => setImmediate(resolve))
      await vi.advanceTimersByTimeAsync(5_000)
      await expect(pending).rejects.toMatchObject({ name: 'RpcTransportError', message: `no reply from 127.0.0.1:${silentPort} within 5000 ms` })
    } finally {
      silent.close()
    }
  })

  it('reads no cookie from a datadir without one, and refuses a malformed one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pk-rpc-nocookie-'))
    try {
      expect(await readCookie(empty)).toBeUndefined()
      writeFileSync(join(empty, '.cookie'), 'garbage')
      await expect(readCookie(empty)).rejects.toThrow(`${join(empty, '.cookie')}: not an RPC cookie (expected USER:PASSWORD on its first line)`)
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})
