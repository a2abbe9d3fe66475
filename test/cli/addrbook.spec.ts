import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { ensureFreshBuild } from '../helpers/build.ts'
import { runCli } from '../helpers/cli.ts'

const ipv4 = (host: string): NetAddress => ({ network: 'ipv4', host, port: 8333 })
const NOW_S = Math.floor(Date.now() / 1000)

/** A data directory whose book holds 5 addresses from 5 groups, 2 of them tried, plus saved anchors. */
async function populatedDataDir (datadir: string): Promise<void> {
  const book = new AddrBook({ clock: systemClock, random: seededRandom(5), logger: nullLogger }, { allowLocal: false })
  const hosts = ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4', '5.5.5.5']
  book.add(hosts.map((h, i) => ({ addr: ipv4(h), services: 1033n, time: NOW_S - 600 * (i + 1) })), ipv4('9.9.9.9'))
  book.good(ipv4('4.4.4.4'))
  book.good(ipv4('5.5.5.5'))
  const store = await NodeStore.open(datadir, { clock: systemClock })
  await store.saveAddrBookKey(book.key)
  await store.writeAddrChanges(book.takeChanges())
  await store.saveAnchors([ipv4('4.4.4.4')])
  await store.close()
}

describe('peerkeeper addrbook (built CLI, offline on a data directory)', () => {
  let home: string
  let datadir: string
  const cli = async (args: string[]): ReturnType<typeof runCli> => await runCli(args, { HOME: home })

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'pk-addrbook-cli-'))
    datadir = join(home, 'data')
    await Promise.all([populatedDataDir(datadir), ensureFreshBuild(['bin/peerkeeper.ts', 'src/cli/commands/addrbook.ts'])])
  }, 180_000)
  afterAll(() => { rmSync(home, { recursive: true, force: true }) })

  it('count prints the new, tried and total counts', async () => {
    expect(await cli(['addrbook', 'count', '--datadir', datadir])).toMatchObject({ code: 0, stderr: '', stdout: 'new    3\ntried  2\ntotal  5\n' })
    const json = await cli(['addrbook', 'count', '--json', '--datadir', datadir])
    expect(JSON.parse(json.stdout)).toEqual({ new: 3, tried: 2, total: 5 })
  })

  it('list prints tried addresses first, then the most recently seen, up to --limit', async () => {
    const all = await cli(['addrbook', 'list', '--datadir', datadir])
    expect(all.code).toBe(0)
    const lines = all.stdout.trimEnd().split('\n')
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['4.4.4.4:8333', 'tried'], ['5.5.5.5:8333', 'tried'], ['1.1.1.1:8333', 'new'], ['2.2.2.2:8333', 'new'], ['3.3.3.3:8333', 'new']
    ])
    expect(lines[2]).toMatch(/^1\.1\.1\.1:8333 {2}new {4}services=0x409 {2}seen=\S+Z {2}attempts=0 {2}success=never$/)

    const limited = await cli(['addrbook', 'list', '--limit', '2', '--json', '--datadir', datadir])
    const entries = JSON.parse(limited.stdout) as Array<Record<string, unknown>>
    expect(entries).toHaveLength(2)
    expect(entries.every((e) => e.table === 'tried')).toBe(true)
    expect(entries[0]).toMatchObject({ network: 'ipv4', services: '1033', attempts: 0, source: '9.9.9.9:8333' })
    expect(entries[0]?.lastSuccess).toBeGreaterThan(0)
  })

  it('leaves the anchors for the next run', async () => {
    await cli(['addrbook', 'count', '--datadir', datadir])
    const store = await NodeStore.open(datadir, { clock: systemClock }, { consumeAnchors: false })
    expect(store.takeContents().anchors).toEqual([ipv4('4.4.4.4')])
    await store.close()
  })

  it('rejects a bad --limit with a usage error naming it', async () => {
    const result = await cli(['addrbook', 'list', '--limit', 'lots', '--datadir', datadir])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('peerkeeper: --limit: "lots" is not a whole number >= 0')
  })

  it('counts an empty data directory as zero, creating nothing in it', async () => {
    const empty = join(home, 'empty')
    mkdirSync(empty)
    expect((await cli(['addrbook', 'count', '--datadir', empty])).stdout).toBe('new    0\ntried  0\ntotal  0\n')
    expect(readdirSync(empty)).toEqual([])
  })

  it.each([['count'], ['list']])('%s refuses a data directory that does not exist (exit 2), and does not create it', async (command) => {
    const missing = join(home, 'mistyped')
    expect(await cli(['addrbook', command, '--datadir', missing])).toEqual({
      code: 2, signal: null, stdout: '', stderr: `peerkeeper: --datadir: data directory ${missing} does not exist\n`
    })
    expect(existsSync(missing)).toBe(false)
  })

  it('reports a corrupt database in one line (exit 1) and leaves it where it is', async () => {
    const broken = join(home, 'broken')
    await (await NodeStore.open(broken, { clock: systemClock })).close()
    writeFileSync(join(broken, 'db', 'CURRENT'), 'garbage')
    const before = readdirSync(broken)
    const result = await cli(['addrbook', 'count', '--datadir', broken])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(new RegExp(`^peerkeeper: database ${join(broken, 'db')} cannot be used \\(failed to open: Corruption[^\n]*; left as it is: peerkeeper run moves it aside and starts a new one\n$`))
    expect(readdirSync(broken)).toEqual(before)
  })
})
