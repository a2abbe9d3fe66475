import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RUN_FLAGS } from '../../src/cli/run-flags.ts'
import { optionSchema, resolveRunSettings } from '../../src/cli/run-settings.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const SCHEMA = optionSchema(RUN_FLAGS)

describe('resolveRunSettings', () => {
  it('layers the config file, then PEERKEEPER_* variables, then flags', () => {
    const datadir = tempDir('settings')
    writeFileSync(join(datadir, 'peerkeeper.conf'), 'network=regtest\nmaxpeers=20\ntargetoutbound=3\nbanthreshold=50\naddpeer=127.0.0.9\n')
    const config = resolveRunSettings(
      { datadir, maxpeers: 30, a: ['ignored alias copy'] },
      { PEERKEEPER_TARGETOUTBOUND: '5', PEERKEEPER_MAXPEERS: '25' },
      SCHEMA
    )
    expect(config.params.name).toBe('regtest') // file
    expect(config.banning.threshold).toBe(50) // file
    expect(config.outbound.targetOutbound).toBe(5) // env over file
    expect(config.maxPeers).toBe(30) // flag over env and file
    expect(config.outbound.permanentPeers).toEqual([{ host: '127.0.0.9', port: 18444 }])
    expect(config.datadir).toBe(datadir)
  })

  it('applies a Core-style network section only on its network, the network coming from the file or the flags', () => {
    const datadir = tempDir('settings')
    writeFileSync(join(datadir, 'peerkeeper.conf'), 'network=regtest\nmaxpeers=20\n[main]\nmaxpeers=125\ntargetoutbound=1\n[regtest]\nmaxpeers=6\n[signet]\nbanthreshold=7\n')
    const regtest = resolveRunSettings({ datadir }, {}, SCHEMA)
    expect(regtest.params.name).toBe('regtest')
    expect(regtest.maxPeers).toBe(6) // [regtest] over the global 20; [main] and [signet] ignored
    expect(regtest.outbound.targetOutbound).toBe(6) // min(default 8, maxpeers 6): [main]'s targetoutbound=1 is not applied
    expect(regtest.banning.threshold).toBe(100)
    const signet = resolveRunSettings({ datadir, network: 'signet' }, {}, SCHEMA)
    expect(signet.maxPeers).toBe(20)
    expect(signet.banning.threshold).toBe(7)
  })

  it('finds the default config file in <datadir>, the data directory coming from the environment', () => {
    const datadir = tempDir('settings')
    writeFileSync(join(datadir, 'peerkeeper.conf'), 'network=regtest\nnolisten=1\n')
    const config = resolveRunSettings({}, { PEERKEEPER_DATADIR: datadir }, SCHEMA)
    expect(config.params.name).toBe('regtest')
    expect(config.inbound.listen).toEqual([])
  })

  it('finds the default data directory under HOME by network when none is given', () => {
    const home = tempDir('home')
    mkdirSync(join(home, '.peerkeeper', 'regtest'), { recursive: true })
    writeFileSync(join(home, '.peerkeeper', 'regtest', 'peerkeeper.conf'), 'maxpeers=9\n')
    const previous = process.env.HOME
    process.env.HOME = home
    try {
      expect(resolveRunSettings({ network: 'regtest' }, {}, SCHEMA).maxPeers).toBe(9)
    } finally {
      process.env.HOME = previous
    }
  })

  it('reads an explicit --configfile', () => {
    const dir = tempDir('settings')
    const file = join(dir, 'other.conf')
    writeFileSync(file, 'network=regtest\nwhitelist=10.0.0.0/8\nwhitelist=127.0.0.1\nselection=core\n')
    const config = resolveRunSettings({ configfile: file, datadir: dir }, {}, SCHEMA)
    expect(config.admission.whitelist.map((w) => w.target.key)).toEqual(['10.0.0.0/8', '127.0.0.1'])
    expect(config.outbound.selection).toBe('core')
    writeFileSync(file, 'network=regtest\nselection=buckets\n')
    expect(() => resolveRunSettings({ configfile: file, datadir: dir }, {}, SCHEMA)).toThrow('--selection: "buckets" is not one of group, core')
  })

  it('takes rotation= from the config file, PEERKEEPER_ROTATION over it, and names the flag when it is bad', () => {
    const dir = tempDir('settings')
    const file = join(dir, 'rotation.conf')
    writeFileSync(file, 'network=regtest\nrotation=10\n')
    expect(resolveRunSettings({ configfile: file, datadir: dir }, {}, SCHEMA).outbound.rotation).toBe(10)
    expect(resolveRunSettings({ configfile: file, datadir: dir }, { PEERKEEPER_ROTATION: '0' }, SCHEMA).outbound.rotation).toBe(0)
    writeFileSync(file, 'network=regtest\nrotation=hourly\n')
    expect(() => resolveRunSettings({ configfile: file, datadir: dir }, {}, SCHEMA)).toThrow('rotation.conf:2: rotation: "hourly" is not an integer')
  })

  it('takes returnwindow= from the config file and PEERKEEPER_RETURNWINDOW over it', () => {
    const dir = tempDir('settings')
    const file = join(dir, 'returns.conf')
    writeFileSync(file, 'network=regtest\nreturnwindow=5m\n')
    expect(resolveRunSettings({ configfile: file, datadir: dir }, {}, SCHEMA).outbound.returnWindowMs).toBe(300_000)
    expect(resolveRunSettings({ configfile: file, datadir: dir }, { PEERKEEPER_RETURNWINDOW: '0s' }, SCHEMA).outbound.returnWindowMs).toBe(0)
  })
})
