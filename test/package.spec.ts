import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ensureBuiltCli } from './helpers/cli.ts'

const ROOT = dirname(fileURLToPath(new URL('../package.json', import.meta.url)))

/** The files `npm pack` would put in the tarball (nothing is written). */
function packedFiles (): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>
  return (pack?.files ?? []).map((f) => f.path)
}

describe('the npm tarball', () => {
  it('ships a LICENSE for package.json\'s license, the bundled CLI its "bin" names, and no source map whose sources it lacks', async () => {
    await ensureBuiltCli()
    const files = packedFiles()
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string, bin: Record<string, string> }
    expect(files).toContain('LICENSE')
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8').split('\n')[0]).toBe(`${pkg.license} License`)
    // The CLI ships as its bundle (scripts/bundle-cli.mjs), not as tsc's module tree.
    expect(normalize(pkg.bin.peerkeeper ?? '')).toBe('dist/cli/peerkeeper.js')
    expect(files).toContain('dist/cli/peerkeeper.js')
    expect(files.filter((f) => f.startsWith('dist/bin/') || f === 'dist/cli/meta.json')).toEqual([])
    const shipped = new Set(files)
    for (const map of files.filter((f) => f.endsWith('.map'))) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[] }
      for (const source of sources) expect(shipped.has(normalize(join(dirname(map), source))), `${map} → ${source}`).toBe(true)
    }
  })
})
