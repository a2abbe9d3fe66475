import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { RpcError } from '../../src/rpc/errors.ts'
import { rpcMethod } from '../../src/rpc/methods.ts'
import { RPC_ERROR } from '../../src/rpc/protocol.ts'
import { RpcServer, type RpcServerInit } from '../../src/rpc/server.ts'
import { systemClock } from '../../src/util/clock.ts'
import { systemRandom } from '../../src/util/random.ts'
import { httpRequest, rawUpload, rpcPost } from '../helpers/http-request.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'
import { untilIo, useFakeTimersWithRealIo } from '../helpers/wait-for-io.ts'

const USER = 'alice:secret-pass'
// share/rpcauth/rpcauth.py's form for user "bob", salt below, password "secret-pass".
const RPCAUTH = 'bob:cb77f0957de88ff388cf817ddbc7273$c2620e08eb09ff3171c1db7fdb6c15a975f037ada52a3b35b4f1d95822895e4f'

const methods = {
  echo: rpcMethod({
    params: [{ name: 'text', type: 'string' }, { name: 'times', type: 'number', optional: true }],
    help: 'Repeats the text.',
    category: 'Test',
    handler: ({ text, times }) => text.repeat(times ?? 1)
  }),
  notconnected: rpcMethod({ params: [], help: 'Fails as Core does for an unknown peer.', handler: () => { throw new RpcError(RPC_ERROR.CLIENT_NODE_NOT_CONNECTED, 'Node not found in connected nodes') } }),
  crash: rpcMethod({ params: [], help: 'Throws a plain error.', handler: () => { throw new TypeError('boom: secret internals') } })
}

describe('RpcServer over real HTTP on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-rpc-'))
  const logger = recordingLogger()
  const failures: Array<{ remote: string, user: string | undefined }> = []
  let server: RpcServer
  let port: number
  let cookie: string

  const make = (init: Partial<RpcServerInit> = {}): RpcServer => new RpcServer({ clock: systemClock, logger, random: systemRandom }, {
    listen: [{ host: '127.0.0.1', port: 0 }],
    methods,
    cookieDir: dir,
    user: 'alice',
    password: 'secret-pass',
    rpcAuth: [RPCAUTH],
    onAuthFailure: (f) => { failures.push(f) },
    ...init
  })

  beforeAll(async () => {
    server = make()
    await server.start()
    port = server.addresses()[0]?.port ?? 0
    cookie = readFileSync(join(dir, '.cookie'), 'utf8')
  })
  afterAll(async () => {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  afterEach(() => { vi.useRealTimers() })

  describe('authentication', () => {
    it('writes a 0600 cookie `__cookie__:<64 hex>` that logs in', async () => {
      expect(cookie).toMatch(/^__cookie__:[0-9a-f]{64}$/)
      expect(statSync(join(dir, '.cookie')).mode & 0o777).toBe(0o600)
      expect(existsSync(join(dir, '.cookie.tmp'))).toBe(false)
      const reply = await rpcPost(port, cookie, { method: 'echo', params: ['hi'], id: 1 })
      expect(reply.status).toBe(200)
      expect(reply.json).toEqual({ result: 'hi', error: null, id: 1 })
    })

    it('accepts --rpcuser/--rpcpass and a Core rpcauth line', async () => {
      expect((await rpcPost(port, USER, { method: 'echo', params: ['a'], id: 1 })).status).toBe(200)
      expect((await rpcPost(port, 'bob:secret-pass', { method: 'echo', params: ['b'], id: 1 })).json).toMatchObject({ result: 'b' })
    })

    it('answers a request without credentials 401 with a Basic challenge, at once', async () => {
      const reply = await httpRequest(port, { body: '{"method":"echo","params":["x"],"id":1}' })
      expect(reply.status).toBe(401)
      expect(reply.headers['www-authenticate']).toBe('Basic realm="jsonrpc"')
    })

    it('answers a wrong password 401 only after 250 ms on the clock, and logs it', async () => {
      useFakeTimersWithRealIo(1_000_000)
      const before = failures.length
      let settled = false
      const pending = rpcPost(port, 'alice:wrong', { method: 'echo', params: ['x'], id: 1 }).finally(() => { settled = true })
      await untilIo(() => failures.length > before, 'the failed login to be reported')
      await vi.advanceTimersByTimeAsync(249)
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve))
      expect(settled).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      const reply = await pending
      expect(reply.status).toBe(401)
      expect(failures.at(-1)).toEqual({ remote: '127.0.0.1', user: 'alice' })
      expect(logger.records.some((r) => r.level === 'warn' && r.message.includes('incorrect password attempt from 127.0.0.1'))).toBe(true)
    })

    it.each([
      ['a wrong user with a right password', '__cookie__:secret-pass'],
      ['a cookie user with the wrong secret', `__cookie__:${'0'.repeat(64)}`],
      ['an rpcauth user with the wrong password', 'bob:secret-pasS'],
      ['no colon at all', 'alicesecret-pass']
    ])('refuses %s', async (_what, auth) => {
      const reply = await rpcPost(port, auth, { method: 'echo', params: ['x'], id: 1 })
      expect(reply.status).toBe(401)
    })
  })

  describe('JSON-RPC 1.0 and 2.0', () => {
    it('answers 1.0 (and no "jsonrpc") with result, error and id', async () => {
      const v1 = await rpcPost(port, USER, { jsonrpc: '1.0', method: 'echo', params: ['x', 2], id: 'a' })
      expect(v1.json).toEqual({ result: 'xx', error: null, id: 'a' })
      expect((await rpcPost(port, USER, { method: 'echo', params: { text: 'n' } })).json).toEqual({ result: 'n', error: null, id: null })
    })

    it('answers 2.0 with jsonrpc and only one of result/error, 200 even for errors', async () => {
      const ok = await rpcPost(port, USER, { jsonrpc: '2.0', method: 'echo', params: { text: 'y' }, id: 7 })
      expect(ok.status).toBe(200)
      expect(ok.json).toEqual({ jsonrpc: '2.0', result: 'y', id: 7 })
      const bad = await rpcPost(port, USER, { jsonrpc: '2.0', method: 'nosuch', id: 8 })
      expect(bad.status).toBe(200)
      expect(bad.json).toEqual({ jsonrpc: '2.0', error: { code: -32601, message: 'Method not found: nosuch' }, id: 8 })
    })

    it('runs a 2.0 notification and answers 204 with no body', async () => {
      const reply = await rpcPost(port, USER, { jsonrpc: '2.0', method: 'echo', params: ['z'] })
      expect(reply.status).toBe(204)
      expect(reply.body).toBe('')
    })
  })

  describe('error codes and HTTP statuses (legacy requests)', () => {
    it.each([
      ['-32700 for a body that is not JSON', '{"method": "echo",', 500, -32700, 'Parse error'],
      ['-32700 for a top-level value that is not an object or array', '42', 500, -32700, 'Top-level object parse error'],
      ['-32600 for a missing method', { id: 1 }, 400, -32600, 'Missing method'],
      ['-32600 for a method that is not a string', { method: 5, id: 1 }, 400, -32600, 'Method must be a string'],
      ['-32600 for params that are neither array nor object', { method: 'echo', params: 'x', id: 1 }, 400, -32600, 'Params must be an array or object'],
      ['-32600 for an unknown "jsonrpc" version', { jsonrpc: '3.0', method: 'echo', id: 1 }, 400, -32600, 'JSON-RPC version not supported (expected "1.0" or "2.0")'],
      ['-32601 for an unknown method', { method: 'getblock', id: 1 }, 404, -32601, 'Method not found: getblock'],
      ['-32602 for a parameter of the wrong type', { method: 'echo', params: [5], id: 1 }, 500, -32602, 'echo: parameter "text" (position 1) must be a string, got 5'],
      ['-32602 for too many parameters', { method: 'echo', params: ['a', 1, 2], id: 1 }, 500, -32602, 'echo: too many parameters (takes at most 2: text, times; got 3)'],
      ['a method\'s own Core code (-29)', { method: 'notconnected', id: 1 }, 500, -29, 'Node not found in connected nodes']
    ])('%s', async (_what, payload, status, code, message) => {
      const reply = await rpcPost(port, USER, payload)
      expect(reply.status).toBe(status)
      expect(reply.headers['content-type']).toBe('application/json')
      expect(reply.json).toMatchObject({ result: null, error: { code, message } })
    })

    it('turns a crash in a handler into -32603 with a generic message, logs it, and keeps serving', async () => {
      const reply = await rpcPost(port, USER, { method: 'crash', id: 3 })
      expect(reply.status).toBe(500)
      expect(reply.json).toEqual({ result: null, error: { code: -32603, message: 'Internal error while running crash (see the node\'s log)' }, id: 3 })
      expect(reply.body).not.toContain('secret internals')
      expect(logger.records.some((r) => r.level === 'error' && r.message.includes('boom: secret internals'))).toBe(true)
      expect((await rpcPost(port, USER, { method: 'echo', params: ['alive'], id: 4 })).json).toMatchObject({ result: 'alive' })
    })

    it('refuses other HTTP methods (405) and paths (404)', async () => {
      expect((await httpRequest(port, { method: 'GET', auth: USER })).status).toBe(405)
      expect((await httpRequest(port, { path: '/wallet/x', auth: USER, body: '{}' })).status).toBe(404)
    })
  })

  describe('batches', () => {
    it('answers an array with an array: replies in order, notifications left out, bad items as -32600', async () => {
      const reply = await rpcPost(port, USER, [
        { jsonrpc: '2.0', method: 'echo', params: ['a'], id: 1 },
        { method: 'nosuch', id: 2 },
        { jsonrpc: '2.0', method: 'echo', params: ['silent'] },
        17,
        { jsonrpc: '2.0', method: 'echo', params: [], id: 5 }
      ])
      expect(reply.status).toBe(200)
      expect(reply.json).toEqual([
        { jsonrpc: '2.0', result: 'a', id: 1 },
        { result: null, error: { code: -32601, message: 'Method not found: nosuch' }, id: 2 },
        { result: null, error: { code: -32600, message: 'Invalid Request object' }, id: null },
        { jsonrpc: '2.0', error: { code: -32602, message: 'echo: missing required parameter "text" (position 1), expected a string' }, id: 5 }
      ])
    })

    it('answers [] with [] and an all-notification batch with 204', async () => {
      expect((await rpcPost(port, USER, [])).json).toEqual([])
      expect((await rpcPost(port, USER, [{ jsonrpc: '2.0', method: 'echo', params: ['q'] }])).status).toBe(204)
    })
  })

  describe('help', () => {
    it('lists the methods by category and explains one', async () => {
      const list = await rpcPost(port, USER, { method: 'help', id: 1 })
      expect((list.json as { result: string }).result).toBe('== Control ==\ncrash\nhelp ( command )\nnotconnected\n\n== Test ==\necho text ( times )')
      const one = await rpcPost(port, USER, { method: 'help', params: ['echo'], id: 1 })
      expect((one.json as { result: string }).result).toBe('echo text ( times )\n\nRepeats the text.\n\nArguments:\n1. text (string, required)\n2. times (number, optional)')
      expect((await rpcPost(port, USER, { method: 'help', params: ['nosuch'], id: 1 })).json).toMatchObject({ error: { code: -32602, message: 'help: unknown command: nosuch' } })
    })
  })

  describe('limits', () => {
    const authHeader = `Authorization: Basic ${Buffer.from(USER).toString('base64')}`
    function * kibChunks (count: number, chunked: boolean): Generator<Buffer> {
      const kib = Buffer.alloc(1024, 'x')
      for (let i = 0; i < count; i++) yield chunked ? Buffer.concat([Buffer.from('400\r\n'), kib, Buffer.from('\r\n')]) : kib
    }

    it('refuses a declared body over 1 MiB with 413 before reading it', async () => {
      const head = `POST / HTTP/1.1\r\nHost: x\r\n${authHeader}\r\nContent-Length: ${1024 * 1024 + 1}\r\n\r\n`
      expect(await rawUpload(port, head, [])).toBe(413)
    })

    it('cuts off a streamed (chunked) body once it passes 1 MiB with 413', async () => {
      const head = `POST / HTTP/1.1\r\nHost: x\r\n${authHeader}\r\nTransfer-Encoding: chunked\r\n\r\n`
      expect(await rawUpload(port, head, kibChunks(4096, true))).toBe(413)
      expect((await rpcPost(port, USER, { method: 'echo', params: ['x'.repeat(1000 * 1024)], id: 1 })).status).toBe(200)
    })
  })

  describe('cookie lifecycle', () => {
    it('removes the cookie at stop and writes a fresh one at the next start', async () => {
      const other = mkdtempSync(join(tmpdir(), 'pk-rpc-cookie-'))
      try {
        const s = make({ cookieDir: other })
        await s.start()
        const first = readFileSync(join(other, '.cookie'), 'utf8')
        await s.stop()
        expect(existsSync(join(other, '.cookie'))).toBe(false)
        await s.start()
        const second = readFileSync(join(other, '.cookie'), 'utf8')
        expect(second).not.toBe(first)
        const p = s.addresses()[0]?.port ?? 0
        expect((await rpcPost(p, first, { method: 'echo', params: ['x'], id: 1 })).status).toBe(401)
        expect((await rpcPost(p, second, { method: 'echo', params: ['x'], id: 1 })).status).toBe(200)
        await s.stop()
        expect(existsSync(join(other, '.cookie'))).toBe(false)
      } finally {
        rmSync(other, { recursive: true, force: true })
      }
    })

    it('leaves no cookie when it cannot listen', async () => {
      const other = mkdtempSync(join(tmpdir(), 'pk-rpc-cookie-'))
      try {
        const s = make({ cookieDir: other, listen: [{ host: '127.0.0.1', port }] })
        await expect(s.start()).rejects.toThrow(`RPC: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`)
        expect(existsSync(join(other, '.cookie'))).toBe(false)
      } finally {
        rmSync(other, { recursive: true, force: true })
      }
    })
  })

  describe('configuration', () => {
    it.each([
      [{ listen: [{ host: '0.0.0.0', port: 0 }] }, '--rpclisten 0.0.0.0:0: a non-loopback RPC address needs --rpcallowip CIDR (which clients may connect)'],
      [{ allowIps: ['10.0.0.0/33'] }, '--rpcallowip: "10.0.0.0/33" has a bad prefix "/33" (expected 0-32 or a netmask like 255.255.0.0)'],
      [{ rpcAuth: ['bob:salt$abc'] }, '--rpcauth: "bob:salt$abc" is not USER:SALT$HASH'],
      [{ password: undefined }, '--rpcuser and --rpcpass go together'],
      [{ user: 'a:b' }, '--rpcuser: "a:b" must be non-empty and contain no ":"'],
      [{ user: undefined, password: undefined, rpcAuth: [], cookieDir: undefined }, 'the RPC server needs credentials']
    ] as Array<[Partial<RpcServerInit>, string]>)('refuses %j', (init, message) => {
      expect(() => make(init)).toThrow(message)
    })

    it('binds a non-loopback address when an allow list is given', () => {
      expect(() => make({ listen: [{ host: '0.0.0.0', port: 0 }], allowIps: ['10.0.0.0/8'] })).not.toThrow()
    })
  })
})
