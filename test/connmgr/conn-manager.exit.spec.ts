import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { builtPath, ensureFreshBuild } from '../helpers/build.ts'

const FIXTURE = 'test/connmgr/fixtures/stop-exits.ts'
/** A liveness bound, not a timing assertion: the fixture's leaked 60 s retry timer would outlast it. */
const CHILD_LIMIT_MS = 20_000

describe('ConnManager stop', () => {
  it('leaves nothing that keeps the process alive (listener, connection, dial in flight, retry timer)', async () => {
    await ensureFreshBuild([FIXTURE])
    const result = await new Promise<{ code: number | null, stdout: string, stderr: string }>((resolve) => {
      execFile(process.execPath, [builtPath(FIXTURE)], { timeout: CHILD_LIMIT_MS }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : (typeof err.code === 'number' ? err.code : null), stdout, stderr })
      })
    })
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe('stopped')
    expect(result.code).toBe(0)
  })
})
