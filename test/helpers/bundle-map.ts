import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The repository: two folders up from test/helpers/, three from dist/test/helpers/ (the benchmarks run built). */
const ROOT = ((): string => {
  const here = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
  return existsSync(join(here, 'package.json')) ? here : join(here, '..')
})()
/** esbuild's metafile of the CLI bundle (scripts/bundle-cli.mjs writes it beside the bundle). */
const META_FILE = join(ROOT, 'dist', 'cli', 'meta.json')

interface MetaOutput {
  readonly entryPoint?: string
  readonly imports: ReadonlyArray<{ readonly path: string, readonly kind: string, readonly external?: boolean }>
  readonly inputs: Readonly<Record<string, { readonly bytesInOutput: number }>>
}

/** The bundle's output files (paths relative to the repository, as esbuild writes them) and what each holds. */
export interface BundleMeta {
  readonly outputs: Readonly<Record<string, MetaOutput>>
}

export function readBundleMeta (): BundleMeta {
  return JSON.parse(readFileSync(META_FILE, 'utf8')) as BundleMeta
}

/**
 * The modules (file URLs of tsc's output and of node_modules files) that the given loaded files hold: a
 * chunk of the CLI bundle stands for every module with code in it, any other file for itself. So a test
 * on what a process loaded asserts on source modules whether the CLI ran bundled or not.
 */
export function sourceModules (loadedUrls: readonly string[], meta: BundleMeta = readBundleMeta()): string[] {
  const modules = loadedUrls.flatMap((url) => {
    const output = url.startsWith('file:') ? meta.outputs[relative(ROOT, fileURLToPath(url))] : undefined
    if (output === undefined) return [url]
    return Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => pathToFileURL(join(ROOT, path)).href)
  })
  return [...new Set(modules)]
}

/** The output file (a path relative to the repository) that a dynamic import of `source` (a file tsc built, `dist/src/…`) loads. */
export function chunkFor (source: string, meta: BundleMeta = readBundleMeta()): string {
  const found = Object.entries(meta.outputs).find(([, output]) => output.entryPoint === source)
  if (found === undefined) throw new Error(`no output of the CLI bundle has ${source} as its entry point`)
  return found[0]
}

/** URLs of the output files a process loads at once when it loads `entry` (its static imports, transitively). */
export function staticClosure (entry: string, meta: BundleMeta = readBundleMeta()): string[] {
  const seen = new Set<string>()
  const visit = (path: string): void => {
    if (seen.has(path)) return
    const output = meta.outputs[path]
    if (output === undefined) return
    seen.add(path)
    for (const imported of output.imports) if (imported.kind === 'import-statement' && imported.external !== true) visit(imported.path)
  }
  visit(entry)
  return [...seen].map((path) => pathToFileURL(join(ROOT, path)).href)
}
