import { execFile } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { builtPath, ensureFreshBuild } from '../helpers/build.ts'

const FIXTURE = 'test/connmgr/fixtures/stop-exits.ts'
/** A liveness bound, not a timing assertion: the fixture's leaked 60 s retry timer would outlast it. */
const CHILD_LIMIT_MS = 20_000
/** `npm test` builds first; a bare `vitest run` may have to run tsc here. */
const BUILD_LIMIT_MS = 120_000

describe('ConnManager stop', () => {
  beforeAll(async () => { await ensureFreshBuild([FIXTURE, 'src/connmgr/conn-manager.ts']) }, BUILD_LIMIT_MS)

  it('leaves nothing that keeps the process alive (listener, connection, dial in flight, retry timer)', async () => {
    const result = await new Promise<{ code: number | null, stdout: string, stderr: string }>((resolve) => {
      execFile(process.execPath, [builtPath(FIXTURE)], { timeout: CHILD_LIMIT_MS }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : (typeof err.code === 'number' ? err.code : null), stdout, stderr })
      })
    })
    expect(result.stderr).toBe('')
    // On a leak the fixture prints its active handles after "stopped" and exits 3.
    expect(result.stdout.trim()).toBe('stopped')
    expect(result.code).toBe(0)
  }, CHILD_LIMIT_MS + 5_000)
})
