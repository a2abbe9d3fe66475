import { writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildNodeConfig, peerLimits, type RunOptions } from '../../src/node/config.ts'
import { tempDir } from '../helpers/temp-dir.ts'

function build (options: RunOptions): ReturnType<typeof buildNodeConfig> {
  return buildNodeConfig({ network: 'regtest', ...options })
}

describe('peerLimits (btcd server arithmetic)', () => {
  it.each([
    // maxPeers, permanent, automatic, target, inbound — semantics §5's table
    [125, 0, true, 8, 117],
    [125, 3, true, 8, 114],
    [10, 9, true, 1, 0],
    [8, 1, false, 0, 7],
    [5, 5, true, 0, 0]
  ])('maxpeers %i with %i permanent (automatic %s) gives target %i and %i inbound', (maxPeers, permanent, automatic, target, inbound) => {
    expect(peerLimits({ maxPeers, permanent, automatic, targetOutbound: 8 })).toEqual({ targetOutbound: target, maxInbound: inbound })
  })
})

describe('buildNodeConfig', () => {
  it('fills the btcd defaults', () => {
    const config = buildNodeConfig({})
    expect(config.params.name).toBe('mainnet')
    expect(config).toMatchObject({
      targetOutbound: 8, maxPeers: 125, maxInbound: 117, dnsSeed: true, banThreshold: 100,
      banDurationMs: 24 * 3600_000, banning: true, connectOnly: false, transport: {}, dnsServers: [],
      listen: [{ host: undefined, port: 8333 }], datadir: join(homedir(), '.peerkeeper', 'mainnet'),
      logging: { debugLevel: 'info', format: 'text', file: undefined }
    })
    expect(config.permanentPeers).toEqual([])
  })

  it('gives permanent peers the network port and reserves their slots', () => {
    const config = build({ addpeer: ['127.0.0.2', '[::1]:9000', 'Node.Example.org:1'] })
    expect(config.permanentPeers).toEqual([{ host: '127.0.0.2', port: 18444 }, { host: '::1', port: 9000 }, { host: 'node.example.org', port: 1 }])
    expect(config).toMatchObject({ targetOutbound: 8, maxInbound: 114, dnsSeed: true })
  })

  it('makes --connect connect-only: no automatic outbound, no DNS seeding, no listening', () => {
    const config = build({ connect: ['127.0.0.2'], maxpeers: 8 })
    expect(config).toMatchObject({ connectOnly: true, targetOutbound: 0, maxInbound: 7, dnsSeed: false, listen: [] })
  })

  it('turns listening off with a proxy unless --listen is given, and parses listen forms', () => {
    expect(build({ proxy: '127.0.0.1' }).listen).toEqual([])
    expect(build({ proxy: '127.0.0.1', proxyuser: 'u', proxypass: 'p' }).transport).toEqual({ proxy: { host: '127.0.0.1', port: 9050 }, proxyUser: 'u', proxyPass: 'p' })
    expect(build({ proxy: '127.0.0.1', listen: [':9999', '127.0.0.1:8000', '[::1]'] }).listen)
      .toEqual([{ host: undefined, port: 9999 }, { host: '127.0.0.1', port: 8000 }, { host: '::1', port: 18444 }])
    expect(build({ nolisten: true }).listen).toEqual([])
  })

  it('reads durations, whitelist subnets, log settings and a custom chainparams file', () => {
    const dir = tempDir('config')
    const file = join(dir, 'local.json')
    writeFileSync(file, JSON.stringify({ name: 'localnet', magic: '0a0b0c0d', defaultPort: 19000, protocolVersion: 70016, dnsSeeds: [], allowLocalAddresses: true }))
    const config = buildNodeConfig({ chainparams: file, banduration: '90m', whitelist: ['10.0.0.0/8', '::1'], debuglevel: 'PEER=debug', logformat: 'json', nobanning: true })
    expect(config.params.name).toBe('localnet')
    expect(config.datadir).toBe(join(homedir(), '.peerkeeper', 'localnet'))
    expect(config.banDurationMs).toBe(90 * 60_000)
    expect(config.whitelist.map((w) => w.key)).toEqual(['10.0.0.0/8', '::1'])
    expect(config.banning).toBe(false)
    expect(config.logging).toEqual({ debugLevel: 'PEER=debug', format: 'json', file: undefined })
  })

  it.each<[RunOptions, string]>([
    [{ connect: ['127.0.0.2'], addpeer: ['127.0.0.3'] }, '--connect cannot be combined with --addpeer'],
    [{ onion: '127.0.0.1:9050', noonion: true }, '--onion cannot be combined with --noonion'],
    [{ torisolation: true }, '--torisolation needs --proxy or --onion'],
    [{ proxyuser: 'u' }, '--proxyuser needs --proxy'],
    [{ listen: [':1'], nolisten: true }, '--listen cannot be combined with --nolisten'],
    [{ addpeer: ['127.0.0.2:70000'] }, '--addpeer: "127.0.0.2:70000" has port "70000"'],
    [{ connect: ['bad host!'] }, '--connect: "bad host!" is not a host name or IP address'],
    [{ listen: ['127.0.0.1:0'] }, '--listen: "127.0.0.1:0" has port "0"'],
    [{ banduration: 'soon' }, '--banduration'],
    [{ banduration: '500ms' }, '--banduration'],
    [{ maxpeers: 0 }, '--maxpeers: expected an integer >= 1'],
    [{ targetoutbound: Number.NaN }, '--targetoutbound: expected an integer >= 0'],
    [{ whitelist: ['10.0.0.0/33'] }, '--whitelist: '],
    [{ logformat: 'xml' }, '--logformat: "xml" is not one of text, json'],
    [{ debuglevel: 'loud' }, '--debuglevel: "loud" has unknown level'],
    [{ network: 'moonnet' }, '--network: unknown network "moonnet"'],
    [{ chainparams: '/nonexistent/params.json', network: undefined }, '--chainparams: /nonexistent/params.json: cannot read chainparams file'],
    [{ chainparams: '/nonexistent/params.json' }, '--chainparams and --network cannot be combined']
  ])('refuses %j', (options, message) => {
    expect(() => build(options)).toThrow(message)
  })
})
