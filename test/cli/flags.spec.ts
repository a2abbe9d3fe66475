import { beforeAll, describe, expect, it } from 'vitest'
import { helpFacts, prepareArgv, usageLine } from '../../src/cli/argv.ts'
import { nearest } from '../../src/cli/near-miss.ts'
import { ensureBuiltCli, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/temp-dir.ts'

describe('prepareArgv', () => {
  const booleans = new Set(['nolisten'])
  it('joins a value that starts with a dash and a digit to its flag, so yargs does not take it for flags', () => {
    expect(prepareArgv(['run', '--banduration', '-1h', '--targetoutbound', '-1', '-a', 'x'], booleans))
      .toEqual(['run', '--banduration=-1h', '--targetoutbound=-1', '-a', 'x'])
    expect(prepareArgv(['run', '--', '--banduration', '-1h'], booleans)).toEqual(['run', '--', '--banduration', '-1h'])
  })
  it('accepts true/false words for --flag=value of a boolean flag and refuses anything else, quoted', () => {
    expect(prepareArgv(['run', '--nolisten=yes', '--nolisten=0'], booleans)).toEqual(['run', '--nolisten=true', '--nolisten=false'])
    expect(() => prepareArgv(['run', '--nolisten=maybe'], booleans)).toThrow('--nolisten: "maybe" is not a boolean (expected true or false)')
  })
})

describe('usageLine', () => {
  const flags = ['addpeer', 'connect', 'logformat', 'nolisten']
  it('turns yargs\' messages into one line naming the flag, with the likely flag for a near miss', () => {
    expect(usageLine('Unknown argument: addper', ['run', '--addper', 'x'], flags)).toBe('unknown flag --addper (did you mean --addpeer?)')
    expect(usageLine('Unknown arguments: zzz, x', ['run', '--zzz', 'x'], flags)).toBe('unknown flag --zzz')
    expect(usageLine('Unknown argument: extra', ['run', 'extra'], flags)).toBe('unexpected argument "extra"')
    expect(usageLine('Not enough arguments following: addpeer', ['run', '--addpeer'], flags)).toBe('--addpeer: expected a value')
    expect(usageLine('Invalid values:\n  Argument: logformat, Given: "xml", Choices: "text", "json"', [], flags)).toBe('--logformat: "xml" is not one of text, json')
    expect(usageLine('Did you mean add?', ['ban', 'ad'], flags)).toBe('unknown command "ad" (did you mean add?)')
  })
  it('reads the command and its flags from its help', () => {
    expect(helpFacts('peerkeeper ban add <target>\n\nBan.\n\n  --datadir  where [string]\n  -h, --help  help\n'))
      .toEqual({ command: 'peerkeeper ban add', flags: ['datadir', 'help'], positionals: ['target'] })
    expect(usageLine('Not enough non-option arguments: got 0, need at least 1', ['ban', 'add'], [], ['target'])).toBe('missing <target>')
  })
  it('suggests only near misses', () => {
    expect(nearest('addpere', flags)).toBe('addpeer')
    expect(nearest('conect', flags)).toBe('connect')
    expect(nearest('proxy', flags)).toBeUndefined()
  })
})

// The built CLI, whole stderr: one line, no help text. Each case fails before a node could start; the
// network is regtest-style and nothing listens or dials if one did.
describe.concurrent('peerkeeper run: a command line that does not parse is one line and exit 2', () => {
  let home: string
  beforeAll(async () => {
    await ensureBuiltCli()
    home = tempDir('flags-cli')
  }, 120_000)

  it.each<[string[], string]>([
    [['run', '--addper', '127.0.0.2'], 'unknown flag --addper (did you mean --addpeer?); see peerkeeper run --help'],
    [['run', '--addpeer'], '--addpeer: expected a value; see peerkeeper run --help'],
    [['run', '--maxpeers', '--nolisten'], '--maxpeers: expected a value; see peerkeeper run --help'],
    [['run', '--logformat', 'xml'], '--logformat: "xml" is not one of text, json; see peerkeeper run --help'],
    [['run', '--selection', 'bucket'], '--selection: "bucket" is not one of group, core; see peerkeeper run --help'],
    [['run', '--rotation', '2.5'], '--rotation: expected an integer >= 0, got "2.5"'],
    [['run', '--returnwindow', '20'], '--returnwindow: "20" is not a duration (expected a number with a unit s, m, h or d, e.g. 30m, 24h, 7d)'],
    [['run', '--nolisten=maybe'], '--nolisten: "maybe" is not a boolean (expected true or false); see peerkeeper run --help'],
    [['run', '--banduration', '-1h'], '--banduration: "-1h" is not a duration (expected a number with a unit s, m, h or d, e.g. 30m, 24h, 7d)'],
    [['run', '--targetoutbound', ''], '--targetoutbound: expected an integer >= 0, got ""'],
    [['run', '--targetoutbound', '0x10'], '--targetoutbound: expected an integer >= 0, got "0x10"'],
    [['run', '--targetoutbound', '-1'], '--targetoutbound: expected an integer >= 0, got "-1"'],
    [['run', '--banthreshold', '4294967296'], '--banthreshold: expected an integer from 1 to 4294967295, got "4294967296"'],
    [['run', '--debuglevel', ''], '--debuglevel: "" has an empty level (expected trace, debug, info, warn, error, critical, or SUBSYS=level,…)'],
    [['run', '--dnsserver', '127.0.0.1', '--proxy', '127.0.0.1:9050'], '--dnsserver cannot be combined with --proxy (names are resolved through the proxy, never by clear DNS)'],
    [['rn'], 'unknown command "rn" (did you mean run?); see peerkeeper --help'],
    [['addrbook', 'count', '--jsn'], 'unknown flag --jsn (did you mean --json?); see peerkeeper addrbook count --help'],
    [['ban', 'ad', '127.0.0.2'], 'unknown command "ad" (did you mean add?); see peerkeeper ban --help'],
    [['ban', 'add'], 'missing <target>; see peerkeeper ban add --help']
  ])('%j', async (args, line) => {
    const safe = args[0] === 'run' ? ['--network', 'regtest', '--nodnsseed', '--nolisten', '--datadir', tempDir('flags-data')] : []
    const result = await runCli([...args, ...safe], { HOME: home })
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: `peerkeeper: ${line}\n` })
  })
})
