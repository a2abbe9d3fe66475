import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EMPTY_CONFIG_FILE, envSettings, parseConfigFile, readConfigFile, settingsFor, type OptionSchema } from '../../src/cli/config-file.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const SCHEMA: OptionSchema = { addpeer: 'array', maxpeers: 'number', nolisten: 'boolean', network: 'string' }

describe('parseConfigFile', () => {
  it('reads key=value lines, lists from repeated keys, and skips comments and sections', () => {
    const text = '[Application Options]\n# a comment\n; another\n\naddpeer=127.0.0.2\naddpeer = 127.0.0.3:9000\nMaxPeers=12\nnolisten=1\nnetwork=regtest\r\n'
    expect(parseConfigFile(text, 'pk.conf', SCHEMA).global).toEqual({ addpeer: ['127.0.0.2', '127.0.0.3:9000'], maxpeers: 12, nolisten: true, network: 'regtest' })
  })

  it('names the file, line and key of a bad line', () => {
    expect(() => parseConfigFile('network=regtest\nmaxpeers=many\n', 'pk.conf', SCHEMA)).toThrow('pk.conf:2: maxpeers: "many" is not an integer')
    expect(() => parseConfigFile('nolisten=maybe', 'pk.conf', SCHEMA)).toThrow('pk.conf:1: nolisten: "maybe" is not a boolean')
    expect(() => parseConfigFile('\nfrobnicate=1', 'pk.conf', SCHEMA)).toThrow('pk.conf:2: unknown setting "frobnicate"')
    expect(() => parseConfigFile('addpeer', 'pk.conf', SCHEMA)).toThrow('pk.conf:1: expected key=value, got "addpeer"')
  })
})

describe('settingsFor (Bitcoin Core\'s network sections)', () => {
  const text = [
    'maxpeers=10', 'addpeer=127.0.0.2',
    '[main]', 'maxpeers=125',
    '[test]', 'maxpeers=30',
    '[testnet4]', 'maxpeers=40',
    '[signet]', 'nolisten=1',
    '[regtest]', 'maxpeers=4', 'addpeer=127.0.0.9', 'addpeer=127.0.0.10',
    '[localnet]', 'maxpeers=7'
  ].join('\n')
  const config = parseConfigFile(text, 'pk.conf', SCHEMA)

  it('applies a section only on its network, over the settings before any section', () => {
    expect(settingsFor(config, 'mainnet')).toEqual({ maxpeers: 125, addpeer: ['127.0.0.2'] })
    expect(settingsFor(config, 'testnet3')).toEqual({ maxpeers: 30, addpeer: ['127.0.0.2'] })
    expect(settingsFor(config, 'testnet4')).toEqual({ maxpeers: 40, addpeer: ['127.0.0.2'] })
    expect(settingsFor(config, 'signet')).toEqual({ maxpeers: 10, addpeer: ['127.0.0.2'], nolisten: true })
    // A list in the section replaces the global list.
    expect(settingsFor(config, 'regtest')).toEqual({ maxpeers: 4, addpeer: ['127.0.0.9', '127.0.0.10'] })
    // A custom network's section is its chainparams name.
    expect(settingsFor(config, 'localnet')).toEqual({ maxpeers: 7, addpeer: ['127.0.0.2'] })
  })

  it('refuses a section a typo away from a network, and network choices inside a section', () => {
    expect(() => settingsFor(parseConfigFile('maxpeers=3\n[mian]\nmaxpeers=9', 'pk.conf', SCHEMA), 'mainnet'))
      .toThrow('pk.conf:2: unknown section [mian] (did you mean [main]?)')
    expect(() => settingsFor(parseConfigFile('[localnte]\nmaxpeers=9', 'pk.conf', SCHEMA), 'localnet')).toThrow('(did you mean [localnet]?)')
    expect(() => parseConfigFile('[regtest]\nnetwork=regtest', 'pk.conf', SCHEMA)).toThrow('pk.conf:2: network cannot be set in a section ([regtest])')
  })
})

describe('readConfigFile', () => {
  it('treats a missing default file as empty but a missing named file as an error', () => {
    const missing = join(tempDir('conf'), 'none.conf')
    expect(readConfigFile(missing, SCHEMA, { required: false })).toEqual(EMPTY_CONFIG_FILE)
    expect(() => readConfigFile(missing, SCHEMA, { required: true })).toThrow(`--configfile: cannot read "${missing}" (ENOENT)`)
    const file = join(missing, '..', 'x.conf')
    writeFileSync(file, 'maxpeers=3\n')
    expect(readConfigFile(file, SCHEMA, { required: true }).global).toEqual({ maxpeers: 3 })
  })
})

describe('envSettings', () => {
  it('takes PEERKEEPER_<KEY> variables, splitting lists on commas, and refuses unknown ones', () => {
    expect(envSettings({ PEERKEEPER_ADDPEER: '127.0.0.2, 127.0.0.3', PEERKEEPER_MAXPEERS: '9', HOME: '/root' }, SCHEMA))
      .toEqual({ addpeer: ['127.0.0.2', '127.0.0.3'], maxpeers: 9 })
    expect(() => envSettings({ PEERKEEPER_MAXPEER: '9' }, SCHEMA)).toThrow('environment PEERKEEPER_MAXPEER: unknown setting "maxpeer"')
  })
})
