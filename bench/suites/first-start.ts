import { mkdtemp, rm } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { SimProfile } from '../../src/sim/profiles.ts'
import { startDnsSeedServer, type SeedRecords } from '../../src/sim/dns-seed-server.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { sourceModules } from '../../test/helpers/bundle-map.ts'
import { writeLocalChainParams } from '../../test/helpers/local-chainparams.ts'
import { refusedPort } from '../../test/helpers/loopback-listener.ts'
import { CLI_PATH, CliChild, timedSpawn } from '../lib/cli-child.ts'
import { coldFloor } from '../lib/cold-floor.ts'
import { floor } from '../lib/floor.ts'
import type { BenchResult, Suite } from '../lib/result.ts'
import { shuffledSpecs } from '../lib/sim-specs.ts'
import { repeat, sleep, summarize } from '../lib/stats.ts'

const TARGET_OUTBOUND = 8
/** Each seed answers at most 32 addresses (MAX_ADDRESSES_PER_SEED): 4 names carry 128 live peers. */
const LIVE = { peers: { live: 128 } as Partial<Record<SimProfile, number>>, seeds: 4 }
/** Issue 14's hostile book: 50 % refusing, 25 % silent, 5 % slow (2 s), 20 % live, over 32 seed names. */
const HOSTILE = { peers: { refusing: 500, silent: 250, slow: 50, live: 200 } as Partial<Record<SimProfile, number>>, seeds: 32 }
const STARTUP = { rounds: 15, budgetMs: 20_000 }
const FIRST = { rounds: 12, budgetMs: 20_000 }
const HOSTILE_ROUNDS = { rounds: 12, budgetMs: 40_000 }
const ROUND_TIMEOUT_MS = 20_000
/** Idle means past the start's work: sample RSS after this long at the target, a few times. */
const IDLE_AFTER_MS = 3_000
const RSS_SAMPLES = 3
const RSS_INTERVAL_MS = 500
/** And once more this long after the target was reached. */
const STEADY_AFTER_MS = 30_000
const PRELOAD = pathToFileURL(join(process.cwd(), 'test', 'helpers', 'preload', 'record-loads.mjs')).href

interface Round { spawnTo8: number, spawnToStarted: number, dnsTo8: number, firstDialTo8: number, dialsTo8: number, rssMb?: number, steadyRssMb?: number, peakRssMb?: number }

const isAuto = (r: Record<string, unknown>): boolean => r.permanent === false
/** The child's peak resident set so far (Linux /proc VmHWM), MB. */
const peakRssMb = (c: CliChild): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${c.child.pid ?? 0}/status`, 'utf8'))?.[1] ?? NaN) / 1024
const mb = (bytes: number): number => bytes / 2 ** 20

/** One first start of the built CLI: empty data directory, seeds on the loopback DNS server. */
async function firstStart (simPort: number, dnsPort: number, seeds: readonly string[], measureRss: boolean, env: Record<string, string> = {}): Promise<Round> {
  const home = await mkdtemp(join(tmpdir(), 'pk-bench-first-'))
  const child = new CliChild(['--chainparams', writeLocalChainParams(simPort, home, seeds), '--datadir', join(home, 'data'), '--nolisten',
    // The RPC server starts as it does for a user (cookie file included), on a free port of its own so
    // that parallel runs do not collide on the network's RPC port.
    '--rpclisten', `127.0.0.1:${await refusedPort()}`, '--dnsserver', `127.0.0.1:${dnsPort}`, '--targetoutbound', String(TARGET_OUTBOUND), '--debuglevel', 'info,CMGR=debug'], { HOME: home, ...env })
  try {
    const up = (): number => child.records.filter((r) => r.record.event === 'outbound_connected' && isAuto(r.record)).length -
      child.records.filter((r) => r.record.event === 'outbound_disconnected' && isAuto(r.record)).length
    const at8 = await child.until(`${TARGET_OUTBOUND} outbound`, () => up() >= TARGET_OUTBOUND, ROUND_TIMEOUT_MS)
    const at = (match: (r: Record<string, unknown>) => boolean, what: string): number => {
      const found = child.first(match)
      if (found === undefined) throw new Error(`first start: no ${what} record`)
      return found.atMs
    }
    const started = at((r) => r.event === 'node_started', 'node_started')
    const dns = at((r) => r.event === 'seed_answered', 'seed_answered')
    const isDial = (r: Record<string, unknown>): boolean => typeof r.message === 'string' && r.message.startsWith('Attempting to connect')
    const firstDial = at(isDial, 'dial')
    const dialsTo8 = child.records.filter((r) => r.atMs <= at8 && isDial(r.record)).length
    const round: Round = { spawnTo8: at8 - child.spawnedMs, spawnToStarted: started - child.spawnedMs, dnsTo8: at8 - dns, firstDialTo8: at8 - firstDial, dialsTo8 }
    if (!measureRss) return round
    await sleep(IDLE_AFTER_MS)
    const samples: number[] = []
    for (let i = 0; i < RSS_SAMPLES; i++) {
      samples.push(child.rssBytes())
      await sleep(RSS_INTERVAL_MS)
    }
    // Steady state: by then V8's memory reducer has run once an idle node stopped allocating.
    await sleep(STEADY_AFTER_MS - IDLE_AFTER_MS - RSS_SAMPLES * RSS_INTERVAL_MS)
    return { ...round, rssMb: mb(summarize(samples).median), steadyRssMb: mb(child.rssBytes()), peakRssMb: peakRssMb(child) }
  } finally {
    await child.stop()
    await rm(home, { recursive: true, force: true })
  }
}

async function firstStartRounds (peers: Partial<Record<SimProfile, number>>, seedCount: number, plan: { rounds: number, budgetMs: number }, rssRound: boolean, env: Record<string, string> = {}): Promise<Round[] & { rss?: Round, loads?: Loads }> {
  const sim = await startSimNetwork({ peers: shuffledSpecs(peers, 9), port: 0, seed: 13 })
  const names = Array.from({ length: seedCount }, (_, i) => `seed-${i}.bench`)
  const records: Record<string, SeedRecords> = {}
  sim.addresses().forEach((addr, i) => {
    const entry = records[names[i % seedCount] as string] ??= { a: [] }
    entry.a?.push(addr.host)
  })
  const dns = await startDnsSeedServer({ records })
  try {
    const rounds: Round[] = []
    await repeat(plan.rounds, plan.budgetMs, async () => {
      const r = await firstStart(sim.port, dns.port, names, false, env)
      rounds.push(r)
      return r.spawnTo8
    })
    if (!rssRound) return rounds
    // Outside the timed rounds (the idle wait would use up their budget): RSS, then the modules `run` loads.
    const rss = await firstStart(sim.port, dns.port, names, true)
    const out = join(tmpdir(), `pk-bench-run-loads-${process.pid}.json`)
    await firstStart(sim.port, dns.port, names, false, { NODE_OPTIONS: `--import ${PRELOAD}`, PK_TEST_LOADS_OUT: out })
    return Object.assign(rounds, { rss, loads: await readLoads(out) })
  } finally {
    await dns.close()
    await sim.close()
  }
}

interface Loads { files: number, modules: number, addons: number, maxRssMb: number }

/**
 * What the module-load recorder wrote (test/helpers/preload/record-loads.mjs), counted: the files Node
 * loaded (the CLI bundle's entry and chunks, CommonJS files outside it) and the source modules they hold.
 * The file is removed.
 */
async function readLoads (out: string): Promise<Loads> {
  const loads = JSON.parse(readFileSync(out, 'utf8')) as { modules: string[], commonjs: string[], addons: string[], maxRssKb: number }
  await rm(out, { force: true })
  return {
    files: loads.modules.length + loads.commonjs.length,
    modules: sourceModules(loads.modules).length + loads.commonjs.length,
    addons: loads.addons.length,
    maxRssMb: loads.maxRssKb / 1024
  }
}

/** One instrumented run (not timed): modules loaded, native addons and peak RSS. */
async function loadsOf (args: readonly string[]): Promise<Loads> {
  const out = join(tmpdir(), `pk-bench-loads-${process.pid}.json`)
  await timedSpawn(args, { NODE_OPTIONS: `--import ${PRELOAD}`, PK_TEST_LOADS_OUT: out })
  return await readLoads(out)
}

async function startupRows (report: (r: BenchResult) => void): Promise<number> {
  const commands: Array<{ name: string, args: string[] }> = [
    { name: 'node -e 0 (floor)', args: ['-e', '0'] },
    { name: 'peerkeeper --version', args: [CLI_PATH, '--version'] },
    { name: 'peerkeeper --help', args: [CLI_PATH, '--help'] }
  ]
  const samples = commands.map(() => [] as number[])
  for (const c of commands) await timedSpawn(c.args) // warm the file cache
  // Interleaved, so the floor and each command see the same moments of a shared machine.
  await repeat(STARTUP.rounds, STARTUP.budgetMs, async () => {
    for (const [i, c] of commands.entries()) samples[i]?.push(await timedSpawn(c.args))
    return 0
  })
  const floorMs = summarize(samples[0] ?? []).median
  for (const [i, c] of commands.entries()) {
    const loads = await loadsOf(c.args)
    report({
      name: `16 start-up: ${c.name} (spawn → exit)`,
      unit: 'ms',
      summary: summarize(samples[i] ?? []),
      ...(i === 0 ? {} : { floor: floorMs }),
      extra: { files: loads.files, modules: loads.modules, nativeAddons: loads.addons, peakRssMb: loads.maxRssMb.toFixed(1), ...(i === 0 ? {} : { goal: '≤ 120 ms, no native addon' }) }
    })
  }
  return floorMs
}

/**
 * Issue 14: the first start a user sees (the built CLI, an empty data directory, DNS seeds on a loopback
 * server), the hostile first start, process start-up against bare Node, and idle RSS of `run`.
 */
export const firstStartSuite: Suite = {
  name: 'firststart',
  async run (report) {
    const handshakeFloor = (await floor(report)).median
    const handshakeColdFloor = (await coldFloor(report, TARGET_OUTBOUND)).median
    const nodeFloor = await startupRows(report)
    const live = await firstStartRounds(LIVE.peers, LIVE.seeds, FIRST, true)
    const s = (pick: (r: Round) => number, rounds: Round[]): ReturnType<typeof summarize> => summarize(rounds.map(pick))
    report({
      name: `2d first start (CLI, ${LIVE.seeds} DNS seeds, 128 live): DNS answer → ${TARGET_OUTBOUND} outbound`,
      unit: 'ms',
      summary: s((r) => r.dnsTo8, live),
      floor: handshakeFloor,
      extra: { firstDialTo8Median: s((r) => r.firstDialTo8, live).median.toFixed(1), coldFloor: handshakeColdFloor.toFixed(1), xColdFloor: (s((r) => r.dnsTo8, live).median / handshakeColdFloor).toFixed(1), goal: 'within 3 floors' }
    })
    report({
      name: `2d first start: spawn → ${TARGET_OUTBOUND} outbound`,
      unit: 'ms',
      summary: s((r) => r.spawnTo8, live),
      floor: nodeFloor,
      extra: { spawnToNodeStartedMedian: s((r) => r.spawnToStarted, live).median.toFixed(0), goal: 'dominated by Node\'s own start (floor: node -e 0)' }
    })
    report({
      name: '16 start-up: peerkeeper run (spawn → node_started, first start)',
      unit: 'ms',
      summary: s((r) => r.spawnToStarted, live),
      floor: nodeFloor,
      extra: { files: live.loads?.files ?? '', modules: live.loads?.modules ?? '', nativeAddons: live.loads?.addons ?? '', peakRssMb: live.rss?.peakRssMb?.toFixed(1) ?? '', note: 'files (what Node reads) and the source modules in them from one extra start with the load recorder, peak RSS (VmHWM) from the RSS start; both to 8 outbound' }
    })
    const rss = live.rss?.rssMb
    if (rss !== undefined) report({ name: `8b idle RSS, peerkeeper run (CLI) with ${TARGET_OUTBOUND} outbound`, unit: 'MB', summary: summarize([rss]), extra: { sampledAfterMs: IDLE_AFTER_MS, rssAfter30sMb: live.rss?.steadyRssMb?.toFixed(1) ?? '', goal: '≤ 60 MB' } })
    // The default (group-first) pick, then Core's (--selection core, given through the environment) for comparison.
    for (const [label, env] of [['', {}], [' with --selection core', { PEERKEEPER_SELECTION: 'core' }]] as const) {
      const hostile = await firstStartRounds(HOSTILE.peers, HOSTILE.seeds, HOSTILE_ROUNDS, false, env)
      report({
        name: `2e hostile first start (CLI, ${HOSTILE.seeds} DNS seeds, 1,000)${label}: first dial → ${TARGET_OUTBOUND} outbound`,
        unit: 'ms',
        summary: s((r) => r.firstDialTo8, hostile),
        floor: handshakeFloor,
        extra: { dnsTo8Median: s((r) => r.dnsTo8, hostile).median.toFixed(0), spawnTo8Median: s((r) => r.spawnTo8, hostile).median.toFixed(0), dialsTo8Median: s((r) => r.dialsTo8, hostile).median, dialsTo8P99: s((r) => r.dialsTo8, hostile).p99, goal: '≤ 250 ms median, ≤ 1 s p99' }
      })
    }
  }
}
