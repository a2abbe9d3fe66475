import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureFreshBuild } from '../helpers/build.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The names a package entry point exports, imported by a separate Node process as a user's program would. */
async function exportsOf (specifier: string): Promise<string[]> {
  const script = `import(${JSON.stringify(specifier)}).then((m) => { process.stdout.write(JSON.stringify(Object.keys(m))) })`
  return await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${specifier}: ${stderr}`))
      else resolve(JSON.parse(stdout) as string[])
    })
  })
}

describe('package entry points', () => {
  beforeAll(async () => { await ensureFreshBuild(['src/index.ts', 'src/sim/index.ts']) }, 120_000)

  it('serves the simulator from peerkeeper/sim, with its errors', async () => {
    const names = await exportsOf('peerkeeper/sim')
    expect(names).toEqual(expect.arrayContaining(['startSimNetwork', 'SimNetwork', 'startDnsSeedServer', 'SIM_PROFILES', 'MISBEHAVIOURS', 'SimConfigError', 'SimListenError']))
  })

  it('keeps the simulator out of the main entry point', async () => {
    const names = await exportsOf('peerkeeper')
    expect(names).toEqual(expect.arrayContaining(['createNode', 'ConnManager', 'UsageError', 'DialError', 'ProtocolError']))
    expect(names.filter((n) => /sim|DnsSeedServer/i.test(n))).toEqual([])
  })
})
