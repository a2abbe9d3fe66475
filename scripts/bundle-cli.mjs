// `npm run build`'s second step: bundles the CLI tsc built (dist/bin/peerkeeper.js) into dist/cli/, the file
// package.json's "bin" names. One ESM entry plus chunks: every `import()` of the sources stays a chunk loaded
// when it runs (a command, BIP324, yargs for help and errors, the status server, socks). Node's module
// loaders read ~350 files at each start; the bundle is a few dozen (CONTRIBUTING.md, "The build").
// dist/cli/meta.json (esbuild's metafile) says which source modules each output file holds: the start-up
// tests map what a process loaded back to source modules through it (test/helpers/bundle-map.ts).
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT_DIR = join(ROOT, 'dist', 'cli')

/**
 * LevelDB's native addon is found by node-gyp-build relative to classic-level's own directory: its loader
 * (classic-level/binding.js) stays a file in node_modules, required by name. The rest of LevelDB's
 * JavaScript (level, abstract-level, classic-level's index) is bundled: Node's CommonJS loader resolving,
 * reading and wrapping its ~30 files cost ~12 ms of each start (BENCHMARKS.md, issue 14).
 */
const levelAddonOutside = {
  name: 'level-addon-outside',
  setup (build) {
    build.onResolve({ filter: /^\.\/binding(\.js)?$/ }, (args) =>
      /[\\/]node_modules[\\/]classic-level$/.test(args.resolveDir) ? { path: 'classic-level/binding.js', external: true } : undefined)
  }
}

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
  plugins: [levelAddonOutside],
  // winston's internal debug channel, in its production form (what NODE_ENV=production selects): the
  // development form loads a colour library (colorspace, ~50 KB) at every start and would print
  // DEBUG=winston:* lines into peerkeeper's log, which must stay JSON line by line with --logformat json.
  alias: { '@dabh/diagnostics': '@dabh/diagnostics/node/production.js' },
  // Bundled CommonJS (winston, LevelDB's JavaScript, socks) calls require(): ESM output has none.
  banner: { js: "import { createRequire as __pkCreateRequire } from 'node:module'; const require = __pkCreateRequire(import.meta.url);" },
  // Whitespace and syntax only (names stay, so stack traces and NamedError's class names read as written):
  // V8 keeps every loaded chunk's source text for lazy compiling; ~1.2 instead of ~1.8 MB of it is ~1.4 MB
  // less idle RSS (BENCHMARKS.md, issue 14).
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning'
})
writeFileSync(join(OUT_DIR, 'meta.json'), JSON.stringify(result.metafile))
