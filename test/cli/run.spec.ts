import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuiltCli, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// Every case here is refused before the node starts, so nothing listens or dials.
describe.concurrent('peerkeeper run refuses bad settings with exit status 2 and a one-line reason', () => {
  let home: string
  beforeAll(async () => {
    await ensureBuiltCli()
    home = tempDir('run-cli')
  }, 120_000) // may run tsc first

  it.each<[string[], string]>([
    [['--connect', '127.0.0.2', '--addpeer', '127.0.0.3'], '--connect cannot be combined with --addpeer'],
    [['--onion', '127.0.0.1:9050', '--noonion'], '--onion cannot be combined with --noonion'],
    [['--torisolation'], '--torisolation needs --proxy or --onion'],
    [['-a', '127.0.0.2:65536'], '--addpeer: "127.0.0.2:65536" has port "65536" (expected 1-65535)'],
    [['--listen', 'not an address'], '--listen: "not an address" is not a host name or IP address'],
    [['--banduration', 'forever'], '--banduration'],
    [['--network', 'moonnet'], '--network: unknown network "moonnet"'],
    [['--chainparams', '/nonexistent/pk.json'], '--chainparams: /nonexistent/pk.json: cannot read chainparams file (ENOENT)'],
    [['--maxpeers', 'lots'], '--maxpeers: expected an integer >= 1'],
    [['--maxinboundperip', 'lots'], '--maxinboundperip: expected a whole number >= 0 or "unlimited", got "lots"'],
    [['--whitelist', 'relay@10.0.0.0/8'], '--whitelist: "relay@10.0.0.0/8" has unknown permission "relay" (a Bitcoin Core permission about relay, which peerkeeper does not do)'],
    [['--deny', '10.0.0.0/99'], '--deny: "10.0.0.0/99": subnet "10.0.0.0/99" has prefix'],
    [['--configfile', '/nonexistent/pk.conf'], '--configfile: cannot read "/nonexistent/pk.conf" (ENOENT)'],
    // Were the log file not checked, this node would start (and idle: no listener, seeds or outbound).
    [['--logfile', '/nonexistent/pk.log', '--nolisten', '--nodnsseed', '--targetoutbound', '0'], '--logfile: cannot write /nonexistent/pk.log: its directory does not exist']
  ])('%j', async (args, message) => {
    const network = args.includes('--network') || args.includes('--chainparams') ? [] : ['--network', 'regtest']
    const result = await runCli(['run', ...network, ...args], { HOME: home })
    expect(result.code).toBe(2)
    const lines = result.stderr.trim().split('\n')
    expect(lines[lines.length - 1]).toContain(`peerkeeper: ${message}`)
    expect(result.stdout).toBe('')
  })

  it('names the file and line of a bad config-file setting, and the variable of a bad environment one', async () => {
    const conf = join(home, 'bad.conf')
    writeFileSync(conf, 'network=regtest\ntargetoutbound=several\n')
    const fromFile = await runCli(['run', '--configfile', conf], { HOME: home })
    expect(fromFile.code).toBe(2)
    expect(fromFile.stderr).toContain(`peerkeeper: ${conf}:2: targetoutbound: "several" is not an integer`)

    const fromEnv = await runCli(['run', '--network', 'regtest'], { HOME: home, PEERKEEPER_BANDURATION: '-1h' })
    expect(fromEnv.code).toBe(2)
    expect(fromEnv.stderr).toContain('--banduration')
  })
})
