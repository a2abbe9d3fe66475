import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadChainParams, loadNetwork, NETWORK_NAMES } from '../../src/chainparams/chainparams.ts'
import { tempDir } from '../helpers/temp-dir.ts'

describe('shipped networks', () => {
  it.each([
    ['mainnet', 'f9beb4d9', 8333, 8, false, 8432], ['testnet3', '0b110907', 18333, 4, false, 18432], ['testnet4', '1c163f28', 48333, 2, false, 48432],
    ['signet', '0a03cf40', 38333, 4, false, 38432], ['regtest', 'fabfb5da', 18444, 0, true, 18543]
  ] as const)('%s has btcd\'s magic, port and seeds', (name, magic, port, seeds, local, rpcPort) => {
    const params = loadNetwork(name)
    expect(Buffer.from(params.magic).toString('hex')).toBe(magic)
    expect(params.defaultPort).toBe(port)
    expect(params.rpcPort).toBe(rpcPort)
    expect(params.dnsSeeds).toHaveLength(seeds)
    expect(params.allowLocalAddresses).toBe(local)
    expect(params.protocolVersion).toBe(70016)
  })

  it('gives no two networks the same RPC port, and none of Bitcoin Core\'s or btcd\'s RPC or P2P ports', () => {
    const taken = new Set([8332, 18332, 38332, 18443, 48332, 8334, 18334, 38334, 18556, 8333, 18333, 48333, 38333, 18444])
    const ports = NETWORK_NAMES.map((name) => loadNetwork(name).rpcPort)
    expect(new Set(ports).size).toBe(ports.length)
    for (const port of ports) expect(taken.has(port as number)).toBe(false)
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
    expect(params.rpcPort).toBeUndefined()
    expect(loadChainParams(write('rpc.json', JSON.stringify({ ...valid, rpcPort: 19001 }))).rpcPort).toBe(19001)
  })

  it.each([
    [{ magic: 'xyz' }, 'field "magic" must be the 4 network-magic bytes'],
    [{ defaultPort: 70000 }, 'field "defaultPort" must be an integer port 1-65535'],
    [{ rpcPort: '8432' }, 'field "rpcPort" must be an integer port 1-65535 (or absent)'],
    [{ dnsSeeds: [{ host: 'a' }] }, 'field "dnsSeeds[0].hasFiltering" must be true or false'],
    [{ allowLocalAddresses: 'yes' }, 'field "allowLocalAddresses" must be true or false'],
    [{ dnsSeeds: [{ host: 'seed .example', hasFiltering: false }] }, 'field "dnsSeeds[0].host" must be a DNS name (labels of letters, digits and "-", at most 253 characters), an IP address or a .onion address, not "seed .example"'],
    [{ dnsSeeds: [{ host: '-seed.example', hasFiltering: false }] }, 'field "dnsSeeds[0].host" must be a DNS name (labels of letters, digits and "-", at most 253 characters), an IP address or a .onion address, not "-seed.example"'],
    [{ dnsSeeds: [{ host: 'seed..example', hasFiltering: false }] }, 'field "dnsSeeds[0].host" must be a DNS name (labels of letters, digits and "-", at most 253 characters), an IP address or a .onion address, not "seed..example"'],
    [{ dnsSeeds: Array.from({ length: 33 }, (_, i) => ({ host: `s${i}.example`, hasFiltering: false })) }, 'field "dnsSeeds" must be at most 32 seeds (it has 33)']
  ])('names the file and the field: %j', (override, message) => {
    const file = write('bad.json', JSON.stringify({ ...valid, ...override }))
    expect(() => loadChainParams(file)).toThrow(`${file}: ${message}`)
  })

  it('takes IP and .onion literals as seeds, as signet lists them', () => {
    const seeds = ['178.128.221.177', '2a01:7c8:d005:390::5', 'v7ajjeirttkbnt32wpy3c6w3emwnfr3fkla7hpxcfokr3ysd3kqtzmqd.onion', 'seed_1.example']
    const params = loadChainParams(write('literals.json', JSON.stringify({ ...valid, dnsSeeds: seeds.map((host) => ({ host, hasFiltering: false })) })))
    expect(params.dnsSeeds.map((s) => s.host)).toEqual(seeds)
  })

  it('names a missing file and a file that is not JSON', () => {
    expect(() => loadChainParams(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read chainparams file \(ENOENT\)/)
    const file = write('garbage.json', '{nope')
    expect(() => loadChainParams(file)).toThrow(`${file}: not valid JSON`)
  })
})
