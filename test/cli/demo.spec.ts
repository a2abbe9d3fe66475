import { spawn } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { builtPath, ensureFreshBuild } from '../helpers/build.ts'

/** The demo takes seconds; this bounds a hang (the test then fails with what was printed so far). */
const DEMO_LIMIT_MS = 40_000

async function runBuiltCli (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [builtPath('bin/peerkeeper.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
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
  beforeAll(async () => { await ensureFreshBuild(['bin/peerkeeper.ts', 'src/cli/commands/demo.ts', 'src/sim/demo/run-demo.ts']) }, 120_000)

  it('tells the whole story: seeded, target reached, a peer lost, ban, permanent peer back; exits 0', async () => {
    const { code, stdout, stderr } = await runBuiltCli(['demo'])
    const story = `${stdout}\n--- stderr ---\n${stderr}`
    expect(code, story).toBe(0)
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

  it('refuses a bad --seed with a one-line usage error (exit 2)', async () => {
    const { code, stderr } = await runBuiltCli(['demo', '--seed', 'abc'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/--seed/)
  })
})
