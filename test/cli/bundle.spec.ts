import { readFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { beforeAll, describe, expect, it } from 'vitest'
import { chunkFor, readBundleMeta, sourceModules, staticClosure, type BundleMeta } from '../helpers/bundle-map.ts'
import { ensureBuiltCli } from '../helpers/cli.ts'

// The CLI ships as an esbuild bundle (scripts/bundle-cli.mjs). Every `import()` of the sources must stay a
// chunk of its own: a lazy module that a static import pulls into what a command loads at start would
// cost every start its load time. Checked on the bundle's metafile, for what `run` loads before it runs.

const ENTRY = 'dist/cli/peerkeeper.js'
/** Modules `run` loads only when a flag or a peer needs them (BIP324's detection and errors are small and always there). */
const LAZY = /\/node_modules\/(yargs|cliui|@noble|socks|dns2|prom-client)\/|\/dist\/src\/(bip324\/(?!detect\.js$|errors\.js$)|sim\/|status\/server\.js$|node\/metrics-endpoint\.js$|cli\/commands\/(?!run\.js$))/

describe('the CLI bundle', () => {
  let meta: BundleMeta

  beforeAll(async () => {
    await ensureBuiltCli()
    meta = readBundleMeta()
  }, 120_000)

  const modulesAtStart = (...entries: string[]): string[] => sourceModules(entries.flatMap((e) => staticClosure(e, meta)), meta)

  it('loads only the command line at start: each command, yargs and the run flags\' table are chunks of their own', () => {
    const modules = modulesAtStart(ENTRY)
    expect(modules.some((url) => url.endsWith('/dist/src/cli/main.js'))).toBe(true)
    expect(modules.filter((url) => !/\/dist\/(bin\/peerkeeper|src\/(cli\/[^/]+|version|util\/errors))\.js$/.test(url))).toEqual([])
  })

  it('run\'s start holds none of the modules it loads lazily (BIP324, yargs, the status server, socks, DNS, the simulator, metrics)', () => {
    const modules = modulesAtStart(ENTRY, chunkFor('dist/src/cli/commands/run.js', meta))
    expect(modules.some((url) => url.endsWith('/dist/src/node/node.js'))).toBe(true)
    expect(modules.filter((url) => LAZY.test(url))).toEqual([])
  })

  it('leaves LevelDB\'s addon loader outside, to find the native addon next to it in node_modules', () => {
    const outputs = Object.values(meta.outputs)
    const bundled = outputs.flatMap((output) => Object.keys(output.inputs))
    expect(bundled.filter((path) => /node_modules\/(classic-level\/binding\.js|node-gyp-build\/)/.test(path))).toEqual([])
    const externals = outputs.flatMap((output) => output.imports).filter((i) => i.external === true && !isBuiltin(i.path))
    expect([...new Set(externals.map((i) => `${i.kind} ${i.path}`))]).toEqual(['require-call classic-level/binding.js'])
  })

  it('keeps the name of every error class, which NamedError takes from the class (esbuild renames clashing names)', () => {
    const renamed = Object.keys(meta.outputs).filter((path) => path.endsWith('.js'))
      .flatMap((path) => [...readFileSync(path, 'utf8').matchAll(/\bclass (\w+Error\d+)\b/g)].map((m) => `${path}: ${m[1]}`))
    expect(renamed).toEqual([])
  })
})
