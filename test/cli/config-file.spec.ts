import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { envSettings, parseConfigFile, readConfigFile, type OptionSchema } from '../../src/cli/config-file.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const SCHEMA: OptionSchema = { addpeer: 'array', maxpeers: 'number', nolisten: 'boolean', network: 'string' }

describe('parseConfigFile', () => {
  it('reads key=value lines, lists from repeated keys, and skips comments and sections', () => {
    const text = '[Application Options]\n# a comment\n; another\n\naddpeer=127.0.0.2\naddpeer = 127.0.0.3:9000\nMaxPeers=12\nnolisten=1\nnetwork=regtest\r\n'
    expect(parseConfigFile(text, 'pk.conf', SCHEMA)).toEqual({ addpeer: ['127.0.0.2', '127.0.0.3:9000'], maxpeers: 12, nolisten: true, network: 'regtest' })
  })

  it('names the file, line and key of a bad line', () => {
    expect(() => parseConfigFile('network=regtest\nmaxpeers=many\n', 'pk.conf', SCHEMA)).toThrow('pk.conf:2: maxpeers: "many" is not an integer')
    expect(() => parseConfigFile('nolisten=maybe', 'pk.conf', SCHEMA)).toThrow('pk.conf:1: nolisten: "maybe" is not a boolean')
    expect(() => parseConfigFile('\nfrobnicate=1', 'pk.conf', SCHEMA)).toThrow('pk.conf:2: unknown setting "frobnicate"')
    expect(() => parseConfigFile('addpeer', 'pk.conf', SCHEMA)).toThrow('pk.conf:1: expected key=value, got "addpeer"')
  })
})

describe('readConfigFile', () => {
  it('treats a missing default file as empty but a missing named file as an error', () => {
    const missing = join(tempDir('conf'), 'none.conf')
    expect(readConfigFile(missing, SCHEMA, { required: false })).toEqual({})
    expect(() => readConfigFile(missing, SCHEMA, { required: true })).toThrow(`--configfile: cannot read "${missing}" (ENOENT)`)
    const file = join(missing, '..', 'x.conf')
    writeFileSync(file, 'maxpeers=3\n')
    expect(readConfigFile(file, SCHEMA, { required: true })).toEqual({ maxpeers: 3 })
  })
})

describe('envSettings', () => {
  it('takes PEERKEEPER_<KEY> variables, splitting lists on commas, and refuses unknown ones', () => {
    expect(envSettings({ PEERKEEPER_ADDPEER: '127.0.0.2, 127.0.0.3', PEERKEEPER_MAXPEERS: '9', HOME: '/root' }, SCHEMA))
      .toEqual({ addpeer: ['127.0.0.2', '127.0.0.3'], maxpeers: 9 })
    expect(() => envSettings({ PEERKEEPER_MAXPEER: '9' }, SCHEMA)).toThrow('environment PEERKEEPER_MAXPEER: unknown setting "maxpeer"')
  })
})
