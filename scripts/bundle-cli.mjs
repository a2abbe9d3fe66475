// `npm run build`'s second step: bundles the CLI tsc built (dist/bin/peerkeeper.js) into dist/cli/, the file
// package.json's "bin" names. One ESM entry plus chunks: every `import()` of the sources stays a chunk loaded
// when it runs (a command, BIP324, yargs for help and errors, the status server, socks). Node's ESM loader
// read ~350 files at each start; the bundle is a few (CONTRIBUTING.md, "Build").
// dist/cli/meta.json (esbuild's metafile) says which source modules each output file holds: the start-up
// tests map what a process loaded back to source modules through it (test/helpers/bundle-map.ts).
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT_DIR = join(ROOT, 'dist', 'cli')

// Chunk names carry a content hash: a rebuild would leave the previous build's chunks beside the new ones.
rmSync(OUT_DIR, { recursive: true, force: true })
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['dist/bin/peerkeeper.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: OUT_DIR,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  // LevelDB's packages open a native addon found relative to their own files: they load from node_modules.
  external: ['level', 'classic-level'],
  // Bundled CommonJS (winston, dns2, socks) calls require() for Node's built-ins: ESM output has none.
  banner: { js: "import { createRequire as __pkCreateRequire } from 'node:module'; const require = __pkCreateRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning'
})
writeFileSync(join(OUT_DIR, 'meta.json'), JSON.stringify(result.metafile))
