import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchResult, Suite, Timeline } from './lib/result.ts'
import { timelineSvg } from './lib/svg.ts'
import { addrBookSuite } from './suites/addrbook.ts'
import { bip324Suite } from './suites/bip324.ts'
import { controlSuite } from './suites/control.ts'
import { decoderSuite } from './suites/decoder.ts'
import { firstStartSuite } from './suites/first-start.ts'
import { eclipseSuite } from './suites/eclipse.ts'
import { floodSuite } from './suites/flood.ts'
import { outboundSuite } from './suites/outbound.ts'
import { permanentSuite } from './suites/permanent.ts'
import { resourcesSuite } from './suites/resources.ts'
import { soakSuite } from './suites/soak.ts'
import { statusSuite } from './suites/status.ts'
import { survivalSuite } from './suites/survival.ts'

/**
 * `npm run bench`: every suite in turn, a table on stdout, bench/results/latest.json and one SVG timeline
 * per network profile. Only 127.0.0.0/8 is used; every loop is bounded in count and time.
 * `npm run bench -- <suite> …` runs only the named suites and writes into bench/results/partial/ instead.
 */
const SUITES: readonly Suite[] = [decoderSuite, bip324Suite, addrBookSuite, outboundSuite, firstStartSuite, permanentSuite, floodSuite, survivalSuite, resourcesSuite, statusSuite, controlSuite]
/** Suites run only when named (`npm run bench -- soak`): the soak takes 30 minutes, the eclipse simulation 40. */
const NAMED_ONLY: readonly Suite[] = [soakSuite, eclipseSuite]

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results')

function format (value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-'
  if (Math.abs(value) >= 100) return value.toFixed(0)
  if (Math.abs(value) >= 1) return value.toFixed(2)
  return value.toPrecision(3)
}

/** A timeline's file name: its profile with anything but letters, digits and '-' as '-' ("live-200, v2" → "live-200-v2"). */
function timelineFile (profile: string): string {
  return `timeline-${profile.replace(/[^a-z0-9-]+/gi, '-')}.svg`
}

function printRow (r: BenchResult): void {
  const ratio = r.floor === undefined ? '' : `  (${(r.summary.median / r.floor).toFixed(1)}× floor ${format(r.floor)})`
  const extra = r.extra === undefined ? '' : `  ${Object.entries(r.extra).map(([k, v]) => `${k}=${v}`).join(' ')}`
  process.stdout.write(`${r.name.padEnd(52)} ${format(r.summary.median).padStart(9)} ${format(r.summary.p99).padStart(9)} ${r.unit.padEnd(6)} n=${r.summary.n}${ratio}${extra}\n`)
}

async function main (): Promise<void> {
  const only = new Set(process.argv.slice(2))
  const suites = only.size === 0 ? SUITES : [...SUITES, ...NAMED_ONLY].filter((s) => only.has(s.name))
  const results: BenchResult[] = []
  const timelines: Timeline[] = []
  const started = Date.now()
  // Benchmarks on a busy machine measure the machine: the load goes into the JSON beside the numbers.
  const loadAtStart = loadavg()
  process.stdout.write(`${'measurement'.padEnd(52)} ${'median'.padStart(9)} ${'p99'.padStart(9)} unit\n`)
  const failed: string[] = []
  for (const suite of suites) {
    try {
      await suite.run((r) => { results.push(r); printRow(r) }, (t) => { timelines.push(t) })
    } catch (err) {
      // One broken suite must not cost the others' numbers; the run still exits non-zero.
      failed.push(suite.name)
      process.stdout.write(`suite ${suite.name} failed: ${err instanceof Error ? err.message : String(err)}\n`)
    }
  }
  // Only a full run replaces the committed results that BENCHMARKS.md links; a partial one goes beside them.
  const dir = only.size === 0 ? RESULTS_DIR : join(RESULTS_DIR, 'partial')
  mkdirSync(dir, { recursive: true })
  for (const t of timelines) writeFileSync(join(dir, timelineFile(t.profile)), timelineSvg(t))
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` }
  const written = { date: new Date(started).toISOString(), durationS: (Date.now() - started) / 1000, machine, loadAverage: { atStart: loadAtStart, atEnd: loadavg() }, failedSuites: failed, results, timelines: timelines.map((t) => timelineFile(t.profile)) }
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(written, null, 2)}\n`)
  if (failed.length > 0) process.exitCode = 1
  process.stdout.write(`\n${results.length} measurements in ${written.durationS.toFixed(1)} s; wrote ${relative(process.cwd(), join(dir, 'latest.json'))} and ${timelines.length} SVG timelines\n`)
}

await main()
