import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork, type SimNetwork } from '../../src/sim/sim-network.ts'
import { ensureBuiltCli, runCli } from '../helpers/cli.ts'
import { findExecutable } from '../helpers/executables.ts'
import { writeLocalChainParams } from '../helpers/local-chainparams.ts'
import { refusedPort } from '../helpers/loopback-listener.ts'
import { startNodeProcess, type NodeProcess } from '../helpers/node-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// An operator's view of a running node: the built `peerkeeper run` with its RPC and metrics on loopback,
// `peerkeeper cli`, `peers`, `ban` and `addrbook` as child processes, and a real Prometheus scraping it.

/** Asks Prometheus's HTTP API for `query` until it has a sample, for at most `timeoutMs` (its scrapes run on its own 1 s clock). */
async function promQuery (port: number, query: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const reply = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`)
      last = await reply.text()
      const result = (JSON.parse(last) as { data?: { result?: Array<{ value: [number, string] }> } }).data?.result ?? []
      if (result[0] !== undefined) return Number(result[0].value[1])
    } catch (err) {
      last = (err as Error).message // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`prometheus had no sample for ${query} within ${timeoutMs} ms; last reply: ${last}`)
}

describe('operating a running node (end to end)', () => {
  let sim: SimNetwork
  let node: NodeProcess
  let base: string[]
  let env: Record<string, string>
  let rpcPort: number
  let metricsPort: number

  beforeAll(async () => {
    await ensureBuiltCli()
    sim = await startSimNetwork({ peers: { live: 2 }, port: 0, seed: 3 })
    const home = tempDir('e2e-control')
    env = { HOME: home }
    rpcPort = await refusedPort()
    metricsPort = await refusedPort()
    base = ['--chainparams', writeLocalChainParams(sim.port, home), '--datadir', join(home, 'data')]
    node = startNodeProcess([...base, '--connect', addrKey(sim.peer(0).addr), '--rpclisten', `127.0.0.1:${rpcPort}`, '--metricslisten', `127.0.0.1:${metricsPort}`], env)
    await node.waitFor('outbound_connected')
  }, 120_000)

  afterAll(async () => {
    if (node.child.exitCode === null) node.child.kill('SIGTERM')
    await node.exited
    await sim.close()
  })

  const rpcArgs = (): string[] => [...base, '--rpcconnect', `127.0.0.1:${rpcPort}`]

  it('peerkeeper cli prints results as bitcoin-cli does, exits 1 with the error on an RPC error', async () => {
    const count = await runCli(['cli', ...rpcArgs(), 'getconnectioncount'], env)
    expect([count.code, count.stdout, count.stderr]).toEqual([0, '1\n', ''])
    const peers = await runCli(['cli', ...rpcArgs(), 'getpeerinfo'], env)
    expect(JSON.parse(peers.stdout)).toMatchObject([{ addr: addrKey(sim.peer(0).addr), connection_type: 'manual', inbound: false }])
    const unknown = await runCli(['cli', ...rpcArgs(), 'nosuchmethod'], env)
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([1, '', 'error code: -32601\nerror message:\nMethod not found: nosuchmethod\n'])
    const bad = await runCli(['cli', ...rpcArgs(), 'setban', '10.0.0.0/33', 'add'], env)
    expect([bad.code, bad.stderr]).toEqual([1, 'error code: -30\nerror message:\nError: Invalid IP/Subnet\n'])
    // reloadconfig does what SIGHUP does: the config file is reread; nothing changed, nothing dropped.
    const reload = await runCli(['cli', ...rpcArgs(), 'reloadconfig'], env)
    expect([reload.code, JSON.parse(reload.stdout)]).toEqual([0, expect.objectContaining({ changed: [], dropped: 0 })])
  })

  it('peerkeeper peers shows the table; ban and addrbook count go through the running node', async () => {
    const peers = await runCli(['peers', ...rpcArgs()], env)
    expect(peers.code).toBe(0)
    expect(peers.stdout).toMatch(/^peerkeeper \/peerkeeper:0\.1\.0\/ at 127\.0\.0\.1:\d+: 1 peer\n/)
    expect(peers.stdout).toMatch(/^out\s+1\s+0\s+0\s+0\s+0\s+1$/m)
    const row = peers.stdout.split('\n').find((l) => l.includes(addrKey(sim.peer(0).addr)))
    expect(row).toMatch(/^out\s+manual\s+ipv4\s+\d+\s+\d+\s+\d+\s+0\s+\d+\s+127\.1\.0\.1:\d+\s+70016\/peerkeeper-sim:/)

    // The database is locked by the node: these answers can only have come over RPC.
    const add = await runCli(['ban', 'add', '10.0.0.0/8', ...rpcArgs(), '--duration', '2h', '--reason', 'ticket 7'], env)
    expect([add.code, add.stderr]).toEqual([0, ''])
    expect(add.stdout).toMatch(/^banned 10\.0\.0\.0\/8 until \S+ \(ticket 7\)\n$/)
    const list = await runCli(['ban', 'list', ...rpcArgs()], env)
    expect(list.stdout).toMatch(/^10\.0\.0\.0\/8 {2}until \S+ {2}since \S+ {2}ticket 7\n$/)
    const remove = await runCli(['ban', 'remove', '10.0.0.0/8', ...rpcArgs()], env)
    expect([remove.code, remove.stdout]).toEqual([0, 'unbanned 10.0.0.0/8\n'])
    const count = await runCli(['addrbook', 'count', '--json', ...rpcArgs()], env)
    const counts = JSON.parse(count.stdout) as { new: number, tried: number, total: number }
    expect([count.code, counts.total]).toEqual([0, counts.new + counts.tried])
    expect(counts.total).toBeGreaterThan(0) // the permanent peer gossiped its neighbour
    // The node holds the database: the list comes over RPC (listaddresses), with every record's fields.
    const listed = await runCli(['addrbook', 'list', '--json', ...rpcArgs()], env)
    const records = JSON.parse(listed.stdout) as Array<{ address: string, table: string }>
    expect([listed.code, records.length]).toEqual([0, counts.total])
    expect(records.map((r) => r.table)).toEqual([...records.map((r) => r.table)].sort((a, b) => (b === 'tried' ? 1 : 0) - (a === 'tried' ? 1 : 0)))
  })

  it('a real Prometheus scrapes the node every second and sees its outbound connection', async () => {
    const prometheus = findExecutable('prometheus')
    if (prometheus === undefined) {
      console.log('SKIPPED Prometheus scrape: the prometheus binary is not installed (Debian package prometheus)')
      return
    }
    const dir = tempDir('prometheus')
    const promPort = await refusedPort()
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s',
      'scrape_configs:', '  - job_name: peerkeeper', '    static_configs:', `      - targets: ['127.0.0.1:${metricsPort}']`, ''
    ].join('\n'))
    const child: ChildProcess = spawn(prometheus, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'
    ], { stdio: 'ignore' })
    try {
      expect(await promQuery(promPort, 'up{job="peerkeeper"}', 30_000)).toBe(1)
      expect(await promQuery(promPort, 'sum(peerkeeper_connections{direction="outbound"})', 30_000)).toBe(1)
      expect(await promQuery(promPort, 'peerkeeper_connections{direction="outbound",type="manual"}', 30_000)).toBe(1)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => { if (child.exitCode !== null) resolve(undefined); else child.once('close', resolve) })
    }
  }, 90_000)

  it('cli stop shuts the node down cleanly; then cli and peers say no node is running (exit 1)', async () => {
    const stop = await runCli(['cli', ...rpcArgs(), 'stop'], env)
    expect([stop.code, stop.stdout]).toEqual([0, 'peerkeeper stopping\n'])
    expect(await node.exited).toEqual({ code: 0, signal: null })
    expect(node.events('node_stopped')).toHaveLength(1)
    const noNode = `peerkeeper: no node is running on 127.0.0.1:${rpcPort} (is \`peerkeeper run\` up with this --datadir/--network?)\n`
    const cli = await runCli(['cli', ...rpcArgs(), '--rpcuser', 'a', '--rpcpass', 'b', 'getconnectioncount'], env)
    expect([cli.code, cli.stderr]).toEqual([1, noNode])
    const peers = await runCli(['peers', ...rpcArgs(), '--rpcuser', 'a', '--rpcpass', 'b'], env)
    expect([peers.code, peers.stderr]).toEqual([1, noNode])
    // With the node gone, ban falls back to the data directory.
    const offline = await runCli(['ban', 'list', ...rpcArgs()], env)
    expect([offline.code, offline.stdout]).toEqual([0, 'no bans\n'])
  })
})
