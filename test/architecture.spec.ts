import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The shape of src/ as rules: the top-level folders form a layered graph (no folder imports, through any
 * chain, a folder that imports it back) and no source file outgrows one responsibility.
 */
const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')
/** Past this a file does more than one thing (the project's style rule). */
const MAX_FILE_LINES = 400
/** `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`, type-only ones included. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}

/** A file's unit in the graph: its top-level folder of src/, or the file itself when it sits in src/. */
function unitOf (file: string): string {
  const parts = relative(SRC, file).split(sep)
  return parts.length === 1 ? (parts[0] ?? file) : `${parts[0] ?? ''}/`
}

/** Folder → folders it imports, each edge with one file import that makes it (for the failure message). */
function folderGraph (): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>()
  for (const file of sourceFiles(SRC)) {
    const from = unitOf(file)
    const edges = graph.get(from) ?? new Map<string, string>()
    graph.set(from, edges)
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? ''
      if (!spec.startsWith('.')) continue
      const target = resolve(dirname(file), spec)
      const to = unitOf(target)
      if (to !== from && !edges.has(to)) edges.set(to, `${relative(SRC, file)} → ${relative(SRC, target)}`)
    }
  }
  return graph
}

/** Every strongly connected set of more than one folder (Tarjan), each as a cycle through all of them. */
function folderCycles (graph: Map<string, Map<string, string>>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0))
      }
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w)
      component.push(w)
      if (w === v) break
    }
    if (component.length > 1) components.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return components
}

/** One import per edge of a shortest way round the cycle from `start` back to itself, inside `members`. */
function cyclePath (graph: Map<string, Map<string, string>>, members: readonly string[], start: string): string[] {
  const allowed = new Set(members)
  const previous = new Map<string, string>()
  const queue = [start]
  while (queue.length > 0) {
    const v = queue.shift() ?? start
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!allowed.has(w) || previous.has(w)) continue
      previous.set(w, v)
      if (w === start) queue.length = 0
      else queue.push(w)
    }
  }
  const edges: string[] = []
  for (let w = start, v = previous.get(w); v !== undefined; w = v, v = w === start ? undefined : previous.get(w)) {
    edges.unshift(`${v} → ${w}: ${graph.get(v)?.get(w) ?? ''}`)
  }
  return edges
}

describe('architecture of src/', () => {
  it('has no import cycle between top-level folders', () => {
    const graph = folderGraph()
    const cycles = folderCycles(graph).map((members) =>
      `cycle through ${members.join(', ')}:\n    ${cyclePath(graph, members, members[0] ?? '').join('\n    ')}`)
    expect(cycles, cycles.join('\n')).toEqual([])
  })

  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = sourceFiles(SRC)
      .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_FILE_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`)
    expect(long).toEqual([])
  })

  it('sees the imports it must judge (the parser is not blind)', () => {
    const graph = folderGraph()
    expect([...graph.get('cli/')?.keys() ?? []]).toEqual(expect.arrayContaining(['node/', 'util/', 'version.ts']))
    expect(graph.get('index.ts')?.has('node/')).toBe(true)
    expect(graph.get('util/')?.has('cli/')).toBe(false)
  })
})
