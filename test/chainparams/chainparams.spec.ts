import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadChainParams, loadNetwork, NETWORK_NAMES } from '../../src/chainparams/chainparams.ts'
import { tempDir } from '../helpers/temp-dir.ts'

describe('shipped networks', () => {
  it.each([
    ['mainnet', 'f9beb4d9', 8333, 8, false], ['testnet3', '0b110907', 18333, 4, false], ['testnet4', '1c163f28', 48333, 2, false],
    ['signet', '0a03cf40', 38333, 4, false], ['regtest', 'fabfb5da', 18444, 0, true]
  ] as const)('%s has btcd\'s magic, port and seeds', (name, magic, port, seeds, local) => {
    const params = loadNetwork(name)
    expect(Buffer.from(params.magic).toString('hex')).toBe(magic)
    expect(params.defaultPort).toBe(port)
    expect(params.dnsSeeds).toHaveLength(seeds)
    expect(params.allowLocalAddresses).toBe(local)
    expect(params.protocolVersion).toBe(70016)
  })

  it('lists exactly the five files', () => {
    expect([...NETWORK_NAMES]).toEqual(['mainnet', 'testnet3', 'testnet4', 'signet', 'regtest'])
  })

  it('refuses an unknown network by name', () => {
    expect(() => loadNetwork('simnet')).toThrow('unknown network "simnet" (expected one of mainnet, testnet3, testnet4, signet, regtest)')
  })
})

describe('custom chainparams files', () => {
  const dir = tempDir('chainparams')
  const write = (name: string, body: string): string => {
    const file = join(dir, name)
    writeFileSync(file, body)
    return file
  }
  const valid = { name: 'localnet', magic: 'aabbccdd', defaultPort: 19000, protocolVersion: 70016, dnsSeeds: [{ host: 'seed.local', hasFiltering: true }], allowLocalAddresses: true }

  it('loads a valid custom network', () => {
    const params = loadChainParams(write('ok.json', JSON.stringify(valid)))
    expect(params.name).toBe('localnet')
    expect(Array.from(params.magic)).toEqual([0xaa, 0xbb, 0xcc, 0xdd])
    expect(params.dnsSeeds).toEqual([{ host: 'seed.local', hasFiltering: true }])
  })

  it.each([
    [{ magic: 'xyz' }, 'field "magic" must be the 4 network-magic bytes'],
    [{ defaultPort: 70000 }, 'field "defaultPort" must be an integer port 1-65535'],
    [{ dnsSeeds: [{ host: 'a' }] }, 'field "dnsSeeds[0].hasFiltering" must be true or false'],
    [{ allowLocalAddresses: 'yes' }, 'field "allowLocalAddresses" must be true or false']
  ])('names the file and the field: %j', (override, message) => {
    const file = write('bad.json', JSON.stringify({ ...valid, ...override }))
    expect(() => loadChainParams(file)).toThrow(`${file}: ${message}`)
  })

  it('names a missing file and a file that is not JSON', () => {
    expect(() => loadChainParams(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read chainparams file \(ENOENT\)/)
    const file = write('garbage.json', '{nope')
    expect(() => loadChainParams(file)).toThrow(`${file}: not valid JSON`)
  })
})
