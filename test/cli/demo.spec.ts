import { spawn } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureFreshBuild } from '../helpers/build.ts'
import { CLI } from '../helpers/cli.ts'

/** The demo takes seconds; this bounds a hang (the test then fails with what was printed so far). */
const DEMO_LIMIT_MS = 40_000

async function runBuiltCli (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, DEMO_LIMIT_MS)
  const code = await new Promise<number | null>((resolve) => { child.once('close', resolve) })
  clearTimeout(timer)
  return { code, stdout, stderr }
}

describe('peerkeeper demo (built CLI, child process)', () => {
  beforeAll(async () => { await ensureFreshBuild(['bin/peerkeeper.ts', 'src/cli/commands/demo.ts', 'src/sim/demo/run-demo.ts', 'src/status/server.ts']) }, 120_000)

  it('tells the whole story: seeded, target reached, a peer lost, ban, permanent peer back; exits 0', async () => {
    const { code, stdout, stderr } = await runBuiltCli(['demo'])
    const story = `${stdout}\n--- stderr ---\n${stderr}`
    expect(code, story).toBe(0)
    expect(stdout).toMatch(/status page: http:\/\/127\.0\.0\.1:\d+\/ \(live while the demo runs\)/)
    expect(stdout).toMatch(/DNS seed seed\.demo\.peerkeeper\.test answered [1-9]\d* addresses/)
    expect(stdout).toMatch(/outbound 8\/8: .* target reached\n/)
    expect(stdout).toMatch(/banned 127\.\d+\.0\.1:\d+ \[misbehaving\]/)
    expect(stdout).toMatch(/outbound 7\/8: lost 127\.\d+\.0\.1:\d+ \[live\]/)
    expect(stdout).toMatch(/permanent peer 127\.1\.0\.1:\d+ \[permanent\] disconnected/)
    expect(stdout).toMatch(/permanent peer: retry #1 in/)
    expect(stdout).toMatch(/permanent peer 127\.1\.0\.1:\d+ \[permanent\] reconnected/)
    // The refilled slot is usually back by the end, but how soon the node retries a failed address is its policy.
    expect(stdout).toMatch(/final status: outbound [78]\/8, permanent 1\/1, .*bans 1/)
    // Order of the beats: seeded before the target, the ban before the permanent peer's outage.
    const at = (re: RegExp): number => stdout.search(re)
    expect(at(/answered/)).toBeLessThan(at(/target reached\n/))
    expect(at(/\[misbehaving\]:?/)).toBeLessThan(at(/stopping the permanent/))
    // Offline: every IPv4 address the story mentions is on loopback.
    for (const ip of stdout.match(/\b\d+\.\d+\.\d+\.\d+\b/g) ?? []) expect(ip.startsWith('127.'), ip).toBe(true)
  }, DEMO_LIMIT_MS + 5_000)

  it('serves the status page during the run; --linger keeps it up after the story, Ctrl-C ends the linger (exit 0)', async () => {
    const child = spawn(process.execPath, [CLI, 'demo', '--linger', '120'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const timer = setTimeout(() => { child.kill('SIGKILL') }, DEMO_LIMIT_MS)
    let stdout = ''
    const printed = async (re: RegExp): Promise<RegExpExecArray> => await new Promise((resolve, reject) => {
      const check = (): void => {
        const m = re.exec(stdout)
        if (m !== null) { child.stdout.off('data', check); resolve(m) }
      }
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); check() })
      child.once('close', () => { reject(new Error(`exited before printing ${String(re)}:\n${stdout}`)) })
      check()
    })
    const url = (await printed(/status page: (http:\/\/127\.0\.0\.1:\d+\/)/))[1] ?? ''
    expect((await fetch(url)).headers.get('content-type')).toMatch(/text\/html/)
    await printed(/lingering 120 s with the network up/)
    // After the story the node is still running and the page still answers with its peers.
    const snapshot = await (await fetch(`${url}api/snapshot`)).json() as { running: boolean, peers: unknown[], bans: { total: number } }
    expect(snapshot.running).toBe(true)
    expect(snapshot.peers.length).toBeGreaterThanOrEqual(8)
    expect(snapshot.bans.total).toBe(1)
    child.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => { child.once('close', resolve) })
    clearTimeout(timer)
    expect(code, stdout).toBe(0)
    await expect(fetch(url)).rejects.toThrow()
  }, DEMO_LIMIT_MS + 5_000)

  it('refuses a bad --linger or a non-loopback --statuslisten (exit 2)', async () => {
    const linger = await runBuiltCli(['demo', '--linger', '-1'])
    expect(linger.code).toBe(2)
    expect(linger.stderr).toMatch(/--linger/)
    const exposed = await runBuiltCli(['demo', '--statuslisten', '0.0.0.0:8435'])
    expect(exposed.code).toBe(2)
    expect(exposed.stderr).toMatch(/--statuslisten: 0\.0\.0\.0:8435: a non-loopback status page address/)
  })

  it('refuses a bad --seed with a one-line usage error (exit 2)', async () => {
    const { code, stderr } = await runBuiltCli(['demo', '--seed', 'abc'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/--seed/)
  })
})
