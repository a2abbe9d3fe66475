import { execFile } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { scavengesShowLoad, youngGenerationFlag } from '../../src/cli/young-generation.ts'
import { builtPath, ensureFreshBuild } from '../helpers/build.ts'

describe('youngGenerationFlag', () => {
  it('keeps the semi-spaces at their initial size unless the operator sized them', () => {
    expect(youngGenerationFlag([], undefined)).toBe('--semi-space-growth-factor=1')
    expect(youngGenerationFlag(['--enable-source-maps'], '--max-old-space-size=512')).toBe('--semi-space-growth-factor=1')
  })

  it('leaves the operator\'s own semi-space setting alone, from the command line or NODE_OPTIONS, in either spelling', () => {
    expect(youngGenerationFlag(['--max-semi-space-size=64'], undefined)).toBeUndefined()
    expect(youngGenerationFlag([], '--max-old-space-size=512 --semi-space-growth-factor=4')).toBeUndefined()
    expect(youngGenerationFlag([], '--min_semi_space_size=2')).toBeUndefined()
  })
})

describe('scavengesShowLoad', () => {
  it('calls the node busy at 16 scavenges within a second, not at fewer or slower', () => {
    const every = (gapMs: number, n: number): number[] => Array.from({ length: n }, (_, i) => 5_000 + i * gapMs)
    expect(scavengesShowLoad(every(10, 15))).toBe(false)
    expect(scavengesShowLoad(every(10, 16))).toBe(true)
    expect(scavengesShowLoad(every(66, 16))).toBe(true)
    expect(scavengesShowLoad(every(67, 16))).toBe(false)
    expect(scavengesShowLoad([])).toBe(false)
  })
})

/**
 * In a fresh Node process (the flags are the process's own): keeps the young generation small while
 * objects survive scavenges (what makes V8 grow the new space), then watches for load: a little
 * allocation leaves it small, a burst of scavenges gives V8 its growth back. Prints the new space's
 * capacity after each phase, in MiB.
 */
const PHASES = `
import { getHeapSpaceStatistics } from 'node:v8'
import { setImmediate } from 'node:timers/promises'
const { keepYoungGenerationSmall, restoreYoungGenerationGrowthUnderLoad } = await import(process.argv[1])
const newSpaceMib = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20
const kept = []
// Objects that survive scavenges, in slices with a turn of the event loop between them (the GC observer reports then).
const survive = async (slices) => { for (let s = 0; s < slices; s++) { for (let i = 0; i < 20_000; i++) kept.push({ i, text: 'x' + i }); await setImmediate() } }
keepYoungGenerationSmall()
await survive(20)
const loading = newSpaceMib()
restoreYoungGenerationGrowthUnderLoad()
await survive(2)
const quiet = newSpaceMib()
await survive(60)
console.log(JSON.stringify({ loading, quiet, busy: newSpaceMib() }))
`

describe('the young generation of a starting process', () => {
  beforeAll(async () => { await ensureFreshBuild(['src/cli/young-generation.ts']) }, 120_000)

  it('stays at its initial size while kept small and after a little allocation, and grows again once the process is busy', async () => {
    const module = pathToFileURL(builtPath('src/cli/young-generation.ts')).href
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PHASES, module], { env: { PATH: process.env.PATH ?? '' } })
    const { loading, quiet, busy } = JSON.parse(stdout) as { loading: number, quiet: number, busy: number }
    expect(loading).toBeLessThanOrEqual(2)
    expect(quiet).toBe(loading)
    expect(busy).toBeGreaterThan(2 * loading)
  })
})
