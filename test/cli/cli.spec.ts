import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliParams, formatResult, runRpcCli, type RpcCliArgs } from '../../src/cli/commands/cli.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { RpcError } from '../../src/rpc/errors.ts'
import { rpcMethod } from '../../src/rpc/methods.ts'
import { RpcServer } from '../../src/rpc/server.ts'
import { systemClock } from '../../src/util/clock.ts'
import { systemRandom } from '../../src/util/random.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'

describe('peerkeeper cli (in process, against an RPC server on a data directory)', () => {
  const home = mkdtempSync(join(tmpdir(), 'pk-cli-'))
  const datadir = join(home, 'data')
  let server: RpcServer
  let port: number
  const calls: unknown[] = []

  const run = async (args: Partial<RpcCliArgs> & { method: string }): Promise<{ code: number, stdout: string, stderr: string }> => {
    let stdout = ''
    let stderr = ''
    const code = await runRpcCli({ datadir, rpcconnect: `127.0.0.1:${port}`, ...args }, {
      stdout: (t) => { stdout += t },
      stderr: (t) => { stderr += t },
      env: { HOME: home }
    })
    return { code, stdout, stderr }
  }

  beforeAll(async () => {
    mkdirSync(datadir)
    server = new RpcServer({ clock: systemClock, logger: nullLogger, random: systemRandom }, {
      listen: [{ host: '127.0.0.1', port: 0 }],
      cookieDir: datadir,
      user: 'op',
      password: 'pw',
      authFailureDelayMs: 1,
      methods: {
        echo: rpcMethod({ params: [{ name: 'value', type: 'object', optional: true }, { name: 'text', type: 'string', optional: true }], help: 'Echoes.', handler: (args) => { calls.push(args); return args.value ?? args.text ?? null } }),
        uptime: rpcMethod({ params: [], help: 'Seconds.', handler: () => 42 }),
        getnetworkinfo: rpcMethod({ params: [], help: 'Info.', handler: () => ({ subversion: '/peerkeeper:0.1.0/' }) }),
        setban: rpcMethod({ params: [{ name: 'subnet', type: 'string' }], help: 'Bans.', handler: ({ subnet }) => { throw new RpcError(-30, `Error: Invalid IP/Subnet: ${subnet}`) } })
      }
    })
    await server.start()
    port = server.addresses()[0]?.port ?? 0
  })
  afterAll(async () => {
    await server.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it('prints numbers and objects as JSON and strings raw, with the cookie of --datadir', async () => {
    expect(await run({ method: 'uptime' })).toEqual({ code: 0, stdout: '42\n', stderr: '' })
    expect((await run({ method: 'getnetworkinfo' })).stdout).toBe('{\n  "subversion": "/peerkeeper:0.1.0/"\n}\n')
    expect((await run({ method: 'echo', args: ['null', 'plain text'] })).stdout).toBe('plain text\n')
    expect((await run({ method: 'echo' })).stdout).toBe('')
  })

  it('passes arguments as JSON where they parse, else as strings, and --named as an object', async () => {
    await run({ method: 'echo', args: ['{"a":[1,2]}'] })
    expect(calls.at(-1)).toEqual({ value: { a: [1, 2] }, text: undefined })
    await run({ method: 'echo', named: true, args: ['text=hello world'] })
    expect(calls.at(-1)).toEqual({ value: undefined, text: 'hello world' })
    expect(cliParams(['5', 'true', '1.2.3.4:8333', '"5"'], false)).toEqual([5, true, '1.2.3.4:8333', '5'])
    expect(() => cliParams(['oops'], true)).toThrow('--named: argument "oops" is not NAME=VALUE')
  })

  it('logs in with --rpcuser/--rpcpass instead of the cookie', async () => {
    expect((await run({ method: 'uptime', rpcuser: 'op', rpcpass: 'pw', datadir: join(home, 'elsewhere') })).code).toBe(0)
    expect(await run({ method: 'uptime', rpcuser: 'op', rpcpass: 'bad' })).toMatchObject({ code: 1, stderr: expect.stringMatching(/refused the login/) as unknown })
    await expect(run({ method: 'uptime', rpcuser: 'op' })).rejects.toThrow('--rpcuser and --rpcpass go together')
  })

  it('prints an RPC error as bitcoin-cli does and exits 1', async () => {
    expect(await run({ method: 'setban', args: ['nonsense'] })).toEqual({ code: 1, stdout: '', stderr: 'error code: -30\nerror message:\nError: Invalid IP/Subnet: nonsense\n' })
    expect((await run({ method: 'nosuch' })).stderr).toBe('error code: -32601\nerror message:\nMethod not found: nosuch\n')
  })

  it('says clearly when no node is running, and when there is no cookie to log in with', async () => {
    const free = await refusedPort()
    expect(await run({ method: 'uptime', rpcconnect: `127.0.0.1:${free}` })).toEqual({
      code: 1, stdout: '', stderr: `peerkeeper: no node is running on 127.0.0.1:${free} (is \`peerkeeper run\` up with this --datadir/--network?)\n`
    })
    const other = join(home, 'nocookie')
    expect((await run({ method: 'uptime', datadir: other })).stderr).toBe(`peerkeeper: no RPC cookie at ${join(other, '.cookie')} and no --rpcuser/--rpcpass, so the node on 127.0.0.1:${port} refused the call\n`)
  })

  it('finds the port in the network\'s chainparams when --rpcconnect names none', async () => {
    const file = join(home, 'localnet.json')
    writeFileSync(file, JSON.stringify({ name: 'localnet', magic: '0a0b0c0d', defaultPort: 19000, rpcPort: port, protocolVersion: 70016, dnsSeeds: [], allowLocalAddresses: true }))
    expect(await run({ method: 'uptime', rpcconnect: '127.0.0.1', chainparams: file })).toMatchObject({ code: 0, stdout: '42\n' })
  })

  it('refuses bad flags as usage errors naming the flag', async () => {
    await expect(run({ method: 'uptime', rpcconnect: '127.0.0.1:99999' })).rejects.toThrow('--rpcconnect: "127.0.0.1:99999" has port "99999" (expected 1-65535)')
    await expect(run({ method: 'uptime', rpcclienttimeout: '10' })).rejects.toThrow('--rpcclienttimeout: "10" is not a duration')
  })

  it('formats results like bitcoin-cli', () => {
    expect(formatResult(null)).toBe('')
    expect(formatResult('x')).toBe('x\n')
    expect(formatResult([1])).toBe('[\n  1\n]\n')
  })
})
