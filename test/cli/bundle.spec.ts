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

  it('keeps LevelDB\'s packages, which open a native addon, out of the bundle', () => {
    const bundled = Object.values(meta.outputs).flatMap((output) => Object.keys(output.inputs))
    expect(bundled.filter((path) => /node_modules\/(level|classic-level|abstract-level)\//.test(path))).toEqual([])
  })
})
