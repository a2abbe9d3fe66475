import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeAsmap } from '../../test/helpers/asmap-encoder.ts'
import { ATTACKER_BASE, HONEST_BASE, type NodeSettings, type Scenario } from '../lib/eclipse/network.ts'
import { shareSvg } from '../lib/eclipse/plot.ts'
import { runScenario, TIME_FACTOR, type Phases, type ScenarioResult } from '../lib/eclipse/run-scenario.ts'
import type { BenchResult, Suite } from '../lib/result.ts'
import { summarize } from '../lib/stats.ts'

/**
 * The eclipse simulation (issue 16): 30 real nodes, each alone in its /16 and knowing every other one at
 * the start (as a DNS seed of so small a network would tell), against an attacker holding
 * 25 % of the groups (10 /16s) and gossiping 100 addresses per honest one; every node restarts 10 times
 * (every other one a crash): the first third of the nodes restart, one after the other, after 30 simulated
 * minutes of downtime; the others stay up. Settings: today's defaults (no feelers, no block-relay-only slots), feelers
 * with test-before-evict, and the new defaults (plus 2 block-relay-only slots whose peers are the anchors).
 * Two more settings add --selectbygroup (a random group first, then an address of it), and an asmap that puts
 * the attacker's 10 /16s in 2 ASes. Sweeps over gossip volume and
 * the attacker's share of groups use 2 restarts (one clean, one crash). ECLIPSE_QUICK=1 shortens
 * every phase (a smoke run, not for the table).
 */
const QUICK = process.env.ECLIPSE_QUICK === '1'
const MAIN: Scenario = { honest: 30, attackerGroups: 10, gossipFactor: 100 }
const MAIN_PHASES: Phases = QUICK ? { warmupMs: 6_000, roundMs: 4_000, restarts: 2, fresh: 2 } : { warmupMs: 15_000, roundMs: 10_000, restarts: 10, fresh: 3 }
const SWEEP_PHASES: Phases = QUICK ? { warmupMs: 4_000, roundMs: 4_000, restarts: 1, fresh: 0 } : { warmupMs: 15_000, roundMs: 10_000, restarts: 2, fresh: 0 }

export const TODAY: NodeSettings = { name: "today's defaults", blockRelayOnly: 0, feelers: false }
export const FEELERS: NodeSettings = { name: 'feelers + test-before-evict', blockRelayOnly: 0, feelers: true }
export const NEW_DEFAULTS: NodeSettings = { name: 'new defaults (+2 block-relay-only, anchors)', blockRelayOnly: 2, feelers: true }
export const BY_GROUP: NodeSettings = { ...NEW_DEFAULTS, name: 'new defaults + --selectbygroup', selectByGroup: true }

/** The attacker's /16s belong to this many autonomous systems in the asmap setting (each honest /16 is its own AS). */
const ATTACKER_ASES = 2

/** An asmap (Core's format) for the simulated network: honest /16 i is AS 1000+i, attacker /16s share ATTACKER_ASES. */
function writeSimAsmap (dir: string, scenario: Scenario): string {
  const entries: Array<[string, number]> = []
  for (let i = 0; i < scenario.honest + 8; i++) entries.push([`127.${HONEST_BASE + i}.0.0/16`, 1000 + i])
  for (let g = 0; g < scenario.attackerGroups; g++) entries.push([`127.${ATTACKER_BASE + g}.0.0/16`, 64_600 + (g % ATTACKER_ASES)])
  const file = join(dir, 'sim-asmap.map')
  writeFileSync(file, encodeAsmap(entries))
  return file
}

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'results')

async function freePort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('eclipse: no free port')
  return address.port
}

const pct = (v: number | undefined): string => v === undefined ? '-' : `${(v * 100).toFixed(1)}%`
const groupShare = (s: Scenario): number => s.attackerGroups / (s.attackerGroups + s.honest)

function row (r: ScenarioResult, label: string): BenchResult {
  const after = r.shareByRestart.slice(1)
  return {
    name: `16 eclipse ${label}: ${r.settings}`,
    unit: '%',
    summary: summarize((after.length > 0 ? after : r.shareByRestart).map((v) => v * 100)),
    extra: {
      groups: pct(groupShare(r.scenario)),
      gossip: `${r.scenario.gossipFactor}x`,
      start: pct(r.shareByRestart[0]),
      last: pct(r.shareByRestart.at(-1)),
      staying: pct(r.stayingShare),
      byRestart: r.shareByRestart.map((v, i) => `${i === 0 ? 's' : i}${r.restartKinds[i - 1] === 'crash' ? '†' : ''}:${Math.round(v * 100)}`).join(' '),
      ...(r.freshShare === undefined ? {} : { fresh: pct(r.freshShare), freshInBooks: pct(r.freshInBooks) }),
      load: r.loadAverage.toFixed(2),
      timeFactor: TIME_FACTOR
    }
  }
}

export const eclipseSuite: Suite = {
  name: 'eclipse',
  async run (report) {
    const load = (): number => loadavg()[0] ?? 0
    let seed = 1
    const main: ScenarioResult[] = []
    const asmapDir = mkdtempSync(join(tmpdir(), 'pk-eclipse-asmap-'))
    const withAsmap: NodeSettings = { ...NEW_DEFAULTS, name: `new defaults + asmap (attacker /16s in ${ATTACKER_ASES} ASes)`, asmap: writeSimAsmap(asmapDir, MAIN) }
    try {
      for (const settings of [TODAY, FEELERS, NEW_DEFAULTS, BY_GROUP, withAsmap]) {
        const r = await runScenario(settings, MAIN, MAIN_PHASES, await freePort(), seed++, load)
        main.push(r)
        report(row(r, `${MAIN_PHASES.restarts} restarts`))
      }
    } finally {
      rmSync(asmapDir, { recursive: true, force: true })
    }
    const crashes = main[0]?.restartKinds.map((k) => k === 'crash') ?? []
    writeFileSync(join(RESULTS_DIR, 'eclipse-share.svg'), shareSvg(
      `attacker share of 10 restarting nodes' outbound slots (20 more stay up; 25% of /16 groups, gossip 100x)`,
      main.map((r) => ({ label: r.settings, values: r.shareByRestart })), groupShare(MAIN), crashes))
    for (const settings of [TODAY, NEW_DEFAULTS, BY_GROUP]) {
      for (const gossipFactor of [1, 10]) {
        report(row(await runScenario(settings, { ...MAIN, gossipFactor }, SWEEP_PHASES, await freePort(), seed++, load), `gossip ${gossipFactor}x`))
      }
      for (const attackerGroups of [3, 20]) {
        report(row(await runScenario(settings, { ...MAIN, attackerGroups }, SWEEP_PHASES, await freePort(), seed++, load), `${attackerGroups} attacker groups`))
      }
    }
  }
}
