import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BanList } from '../../src/banlist/ban-list.ts'
import type { BanEntry } from '../../src/banlist/ban-list.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { ensureFreshBuild } from '../helpers/build.ts'
import { runCli } from '../helpers/cli.ts'

const HOUR_MS = 3_600_000

describe('peerkeeper ban (built CLI, offline on a data directory)', () => {
  let home: string
  let n = 0
  const freshDir = (): string => join(home, `data-${n++}`)
  const cli = async (args: string[], env: Record<string, string> = {}): ReturnType<typeof runCli> => await runCli(args, { HOME: home, ...env })
  const listJson = async (datadir: string): Promise<BanEntry[]> => {
    const result = await cli(['ban', 'list', '--json', '--datadir', datadir])
    expect(result.stderr).toBe('')
    return JSON.parse(result.stdout) as BanEntry[]
  }

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'pk-ban-cli-'))
    await ensureFreshBuild(['bin/peerkeeper.ts', 'src/cli/commands/ban.ts'])
  }, 180_000)
  afterAll(() => { rmSync(home, { recursive: true, force: true }) })

  it('adds, lists and removes bans; the node sees them', async () => {
    const datadir = freshDir()
    const added = await cli(['ban', 'add', '10.1.2.3/16', '--datadir', datadir, '--duration', '2h', '--reason', 'spam'])
    expect(added).toMatchObject({ code: 0, stderr: '' })
    expect(added.stdout).toMatch(/^banned 10\.1\.0\.0\/16 until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(spam\)\n$/)
    expect((await cli(['ban', 'add', '::ffff:1.2.3.4', '--datadir', datadir])).code).toBe(0)

    const text = await cli(['ban', 'list', '--datadir', datadir])
    expect(text.code).toBe(0)
    expect(text.stdout.split('\n')).toEqual([
      expect.stringMatching(/^10\.1\.0\.0\/16 {2}until \S+Z {2}since \S+Z {2}spam$/),
      expect.stringMatching(/^1\.2\.3\.4 {6}until \S+Z {2}since \S+Z {2}manual$/),
      ''
    ])
    const entries = await listJson(datadir)
    expect(entries.map((e) => [e.target, e.reason, e.expiresMs - e.createdMs])).toEqual([
      ['10.1.0.0/16', 'spam', 2 * HOUR_MS],
      ['1.2.3.4', 'manual', 24 * HOUR_MS]
    ])

    const store = await NodeStore.open(datadir, { clock: systemClock })
    const bans = new BanList({ clock: systemClock })
    store.bindBanList(bans)
    await store.close()
    expect(bans.isBanned('10.1.200.7')).toBe(true)
    expect(bans.isBanned('1.2.3.4')).toBe(true)

    const covered = await cli(['ban', 'remove', '10.1.5.5', '--datadir', datadir])
    expect(covered.code).toBe(1)
    expect(covered.stderr).toBe('peerkeeper: 10.1.5.5 has no ban of its own; it is covered by the ban on 10.1.0.0/16 (remove that instead)\n')
    const removed = await cli(['ban', 'remove', '10.1.0.0/16', '--datadir', datadir])
    expect(removed).toMatchObject({ code: 0, stdout: 'unbanned 10.1.0.0/16\n' })
    expect((await listJson(datadir)).map((e) => e.target)).toEqual(['1.2.3.4'])
    const again = await cli(['ban', 'remove', '10.1.0.0/16', '--datadir', datadir])
    expect(again).toMatchObject({ code: 1, stderr: 'peerkeeper: 10.1.0.0/16 is not banned\n' })
  })

  it('keeps a longer ban when a shorter one is added', async () => {
    const datadir = freshDir()
    await cli(['ban', 'add', '2001:db8::/32', '--datadir', datadir, '--duration', '7d'])
    const shorter = await cli(['ban', 'add', '2001:db8::/32', '--datadir', datadir, '--duration', '1h', '--reason', 'auto'])
    expect(shorter.code).toBe(0)
    expect(shorter.stdout).toMatch(/^2001:db8::\/32 stays banned until \S+ \(manual\): that ban is longer\n$/)
    expect((await listJson(datadir)).map((e) => e.expiresMs - e.createdMs)).toEqual([7 * 24 * HOUR_MS])
  })

  it('prints "no bans" for an empty list', async () => {
    const datadir = freshDir()
    mkdirSync(datadir)
    expect(await cli(['ban', 'list', '--datadir', datadir])).toMatchObject({ code: 0, stdout: 'no bans\n' })
    expect(readdirSync(datadir)).toEqual([])
  })

  it('list refuses a data directory that does not exist (exit 2) instead of creating one and saying "no bans"', async () => {
    const missing = freshDir()
    expect(await cli(['ban', 'list', '--datadir', missing])).toEqual({
      code: 2, signal: null, stdout: '', stderr: `peerkeeper: --datadir: data directory ${missing} does not exist\n`
    })
    expect(existsSync(missing)).toBe(false)
  })

  it.each<[string, (file: string) => string, (path: string) => string]>([
    ['a file', (file) => file, (path) => `data directory ${path} is a file, not a directory`],
    ['empty', () => '', () => 'data directory path is empty'],
    ['under /proc', () => '/proc/pk-test', (path) => `data directory ${path} is on the proc virtual file system, which cannot hold files; choose a directory on disk`]
  ])('--datadir that is %s is a one-line usage error (exit 2) for add and list', async (_what, datadirOf, message) => {
    const file = join(home, `file-${n++}`)
    writeFileSync(file, 'x')
    const datadir = datadirOf(file)
    for (const args of [['ban', 'add', '192.0.2.1'], ['ban', 'list']]) {
      expect(await cli([...args, '--datadir', datadir])).toEqual({ code: 2, signal: null, stdout: '', stderr: `peerkeeper: --datadir: ${message(datadir)}\n` })
    }
  })

  it.each([
    [['ban', 'add', 'nonsense'], /^peerkeeper: <target>: ban target "nonsense" is not an IP address/m],
    [['ban', 'add', '10.0.0.0/33'], /^peerkeeper: <target>: ban target "10\.0\.0\.0\/33" has prefix "\/33" \(expected 0-32 for IPv4\)/m],
    [['ban', 'add', '10.0.0.1', '--duration', '10'], /^peerkeeper: --duration: "10" is not a duration/m],
    [['ban', 'add', '10.0.0.1', '--duration', '0s'], /^peerkeeper: --duration: "0s" must be longer than 0/m],
    [['ban', 'remove', '1.2.3'], /^peerkeeper: <target>: ban target "1\.2\.3"/m],
    [['ban', 'list', '--network', 'nosuchnet'], /^peerkeeper: --network: unknown network "nosuchnet"/m]
  ])('%j is a usage error (exit 2) that names the value and leaves the data directory alone', async (args, message) => {
    const datadir = freshDir()
    const result = await cli([...args, '--datadir', datadir])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(existsSync(datadir)).toBe(false)
  })

  it('defaults the data directory to ~/.peerkeeper/<network>, or PEERKEEPER_DATADIR', async () => {
    expect((await cli(['ban', 'add', '192.0.2.1', '--network', 'regtest'])).code).toBe(0)
    expect(existsSync(join(home, '.peerkeeper', 'regtest', 'db', 'CURRENT'))).toBe(true)
    const fromEnv = freshDir()
    expect((await cli(['ban', 'add', '192.0.2.2'], { PEERKEEPER_DATADIR: fromEnv })).code).toBe(0)
    expect((await listJson(fromEnv)).map((e) => e.target)).toEqual(['192.0.2.2'])
  })

  it('refuses a data directory a running peerkeeper holds, naming it (exit 1)', async () => {
    const datadir = freshDir()
    const store = await NodeStore.open(datadir, { clock: systemClock })
    try {
      const result = await cli(['ban', 'add', '192.0.2.9', '--datadir', datadir])
      expect(result.code).toBe(1)
      expect(result.stderr).toBe(`peerkeeper: data directory ${datadir} is in use by another running peerkeeper (its database ${join(datadir, 'db')} is locked)\n`)
    } finally {
      await store.close()
    }
  })
})
