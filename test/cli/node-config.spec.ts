import { writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildNodeConfig } from '../../src/cli/node-config.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { encodeAsmap } from '../helpers/asmap-encoder.ts'

function build (options: RunOptions): ReturnType<typeof buildNodeConfig> {
  return buildNodeConfig({ network: 'regtest', ...options })
}

describe('buildNodeConfig', () => {
  it('fills the btcd defaults', () => {
    const config = buildNodeConfig({})
    expect(config.params.name).toBe('mainnet')
    expect(config).toEqual({
      params: config.params,
      datadir: join(homedir(), '.peerkeeper', 'mainnet'),
      outbound: { targetOutbound: 8, permanentPeers: [], connectOnly: false, blockRelayOnly: 2, feelers: true, onlyNets: [], selection: 'group', rotation: 0, returnWindowMs: 20 * 60_000 },
      inbound: { listen: [{ host: undefined, port: 8333 }], maxInbound: 115, externalIps: [] },
      maxPeers: 125,
      seeding: { dnsSeed: true, seedNodes: [] },
      sessions: { v2Transport: true },
      names: { dnsServers: [] },
      transport: {},
      banning: { enabled: true, threshold: 100, durationMs: 24 * 3600_000 },
      admission: { limits: { maxInboundPerIp: 3, maxInboundPerGroup: 10, inboundRatePerSecond: 3, maxPendingInbound: 32 }, whitelist: [], deny: [] },
      logging: { debugLevel: 'info', format: 'text', file: undefined },
      peerValue: { highWater: 0, lowWater: 0, gracePeriodMs: 60_000, maxEventLoopDelayMs: 0 },
      guard: { rateLimits: {}, tarpit: { sendStallMs: 30_000, partialMessageMs: 30_000 } },
      rpc: { listen: [{ host: '127.0.0.1', port: 8432 }], allowIps: [], rpcAuth: [], cookie: true }
    })
  })

  it('serves the status page only with --statuslisten; a non-loopback one needs --statusallowip', () => {
    expect(build({}).statusPage).toBeUndefined()
    expect(build({ statuslisten: ['127.0.0.1', '[::1]:9000'] }).statusPage).toEqual({ listen: [{ host: '127.0.0.1', port: 8435 }, { host: '::1', port: 9000 }], allowIps: [] })
    expect(() => build({ statuslisten: ['0.0.0.0:8435'] })).toThrow('--statuslisten: 0.0.0.0:8435: a non-loopback status page address needs an allow list')
    const exposed = build({ statuslisten: ['0.0.0.0:8435'], statusallowip: ['10.0.0.0/8'] }).statusPage
    expect(exposed?.allowIps.map((s) => s.text)).toEqual(['10.0.0.0/8'])
    expect(() => build({ statusallowip: ['10.0.0.0/8'] })).toThrow('--statusallowip needs --statuslisten')
    expect(() => build({ statuslisten: ['127.0.0.1'], statusallowip: ['nope'] })).toThrow(/--statusallowip: "nope" is not an IP/)
    expect(() => build({ statuslisten: ['127.0.0.1:99999'] })).toThrow(/--statuslisten/)
  })

  it('reads the inbound limits ("unlimited" is no limit, 0 admits only nolimit peers), --whitelist permissions and --deny', () => {
    const config = build({ maxinboundperip: '0', maxinboundpergroup: 'Unlimited', inboundrate: '7', maxpendinginbound: '100', whitelist: ['noban,addr@10.0.0.0/8', '192.0.2.1'], deny: ['198.51.100.0/24'] })
    expect(config.admission.limits).toEqual({ maxInboundPerIp: 0, maxInboundPerGroup: Infinity, inboundRatePerSecond: 7, maxPendingInbound: 100 })
    expect(config.admission.whitelist).toEqual([
      { target: expect.objectContaining({ key: '10.0.0.0/8' }), permissions: { noban: true, nolimit: false, addr: true } },
      { target: expect.objectContaining({ key: '192.0.2.1' }), permissions: { noban: true, nolimit: true, addr: true } }
    ])
    expect(config.admission.deny.map((t) => t.key)).toEqual(['198.51.100.0/24'])
  })

  it('gives permanent peers the network port and reserves their slots', () => {
    const config = build({ addpeer: ['127.0.0.2', '[::1]:9000', 'Node.Example.org:1'] })
    expect(config.outbound.permanentPeers).toEqual([{ host: '127.0.0.2', port: 18444 }, { host: '::1', port: 9000 }, { host: 'node.example.org', port: 1 }])
    expect(config).toMatchObject({ outbound: { targetOutbound: 8 }, inbound: { maxInbound: 112 }, seeding: { dnsSeed: true } })
  })

  it('takes --blockrelayonly, --nofeelers and --onlynet (Core names; onion needs a proxy; no DNS seeds without IP networks)', () => {
    expect(build({ blockrelayonly: 0, nofeelers: true }).outbound).toMatchObject({ blockRelayOnly: 0, feelers: false })
    expect(build({ blockrelayonly: 4 }).inbound.maxInbound).toBe(113)
    expect(build({ onlynet: ['ipv4', 'IPv6', 'ipv4'] }).outbound.onlyNets).toEqual(['ipv4', 'ipv6'])
    expect(() => build({ onlynet: ['tor'] })).toThrow(/^--onlynet: "tor" is not a network \(expected one of ipv4, ipv6, onion, i2p, cjdns\)$/)
    expect(() => build({ onlynet: ['onion'] })).toThrow(/^--onlynet: onion needs --proxy or --onion/)
    expect(build({ onlynet: ['onion'], proxy: '127.0.0.1:9050' }).seeding.dnsSeed).toBe(false)
    expect(() => build({ blockrelayonly: -1 })).toThrow(/^--blockrelayonly: expected an integer >= 0/)
  })

  it('takes --selection: group-first by default, Core\'s bucket walk with core', () => {
    expect(build({}).outbound.selection).toBe('group')
    expect(build({ selection: 'group' }).outbound.selection).toBe('group')
    expect(build({ selection: 'core' }).outbound.selection).toBe('core')
  })

  it('takes --rotation: off (0) by default, k as given, and only a whole number >= 0', () => {
    expect(build({}).outbound.rotation).toBe(0)
    expect(build({ rotation: 4 }).outbound.rotation).toBe(4)
    expect(build({ rotation: '10' }).outbound.rotation).toBe(10)
    expect(() => build({ rotation: '-1' })).toThrow('--rotation: expected an integer >= 0, got "-1"')
    expect(() => build({ rotation: 'often' })).toThrow('--rotation: expected an integer >= 0, got "often"')
  })

  it('takes --returnwindow: 20 minutes by default, a duration as given, 0s for off', () => {
    expect(build({}).outbound.returnWindowMs).toBe(20 * 60_000)
    expect(build({ returnwindow: '1h' }).outbound.returnWindowMs).toBe(3_600_000)
    expect(build({ returnwindow: '0s' }).outbound.returnWindowMs).toBe(0)
    expect(() => build({ returnwindow: 'soon' })).toThrow('--returnwindow: "soon" is not a duration')
  })

  it('loads --asmap (relative to --datadir) and names the file when it is missing or invalid', () => {
    const datadir = tempDir('asmap')
    writeFileSync(join(datadir, 'ip_asn.map'), encodeAsmap([['1.0.0.0/8', 64512]]))
    const config = build({ datadir, asmap: 'ip_asn.map' })
    expect(config.asmap?.lookup({ network: 'ipv4', host: '1.2.3.4', port: 1 })).toBe(64512)
    expect(build({}).asmap).toBeUndefined()
    expect(() => build({ datadir, asmap: 'nope.map' })).toThrow(`--asmap: ${join(datadir, 'nope.map')}: cannot read asmap file (ENOENT)`)
    writeFileSync(join(datadir, 'bad.map'), Uint8Array.from([0xff, 0xff]))
    expect(() => build({ datadir, asmap: 'bad.map' })).toThrow(/^--asmap: .*bad\.map: not a valid asmap \(/)
  })

  it('makes --connect connect-only: no automatic outbound, no DNS seeding, no listening', () => {
    const config = build({ connect: ['127.0.0.2'], maxpeers: 8 })
    expect(config).toMatchObject({ outbound: { connectOnly: true, targetOutbound: 0 }, inbound: { maxInbound: 7, listen: [] }, seeding: { dnsSeed: false } })
  })

  it('turns listening off with a proxy unless --listen is given, and parses listen forms', () => {
    expect(build({ proxy: '127.0.0.1' }).inbound.listen).toEqual([])
    expect(build({ proxy: '127.0.0.1', proxyuser: 'u', proxypass: 'p' }).transport).toEqual({ proxy: { host: '127.0.0.1', port: 9050 }, proxyUser: 'u', proxyPass: 'p' })
    expect(build({ proxy: '127.0.0.1', listen: [':9999', '127.0.0.1:8000', '[::1]'] }).inbound.listen)
      .toEqual([{ host: undefined, port: 9999 }, { host: '127.0.0.1', port: 8000 }, { host: '::1', port: 18444 }])
    expect(build({ nolisten: true }).inbound.listen).toEqual([])
  })

  it('speaks BIP324 v2 unless --nov2transport (or v2transport=0 in the config file)', () => {
    expect(build({}).sessions.v2Transport).toBe(true)
    expect(build({ v2transport: true }).sessions.v2Transport).toBe(true)
    expect(build({ nov2transport: true }).sessions.v2Transport).toBe(false)
    expect(build({ v2transport: false }).sessions.v2Transport).toBe(false)
  })

  it('reads durations, whitelist subnets, log settings and a custom chainparams file', () => {
    const dir = tempDir('config')
    const file = join(dir, 'local.json')
    writeFileSync(file, JSON.stringify({ name: 'localnet', magic: '0a0b0c0d', defaultPort: 19000, protocolVersion: 70016, dnsSeeds: [], allowLocalAddresses: true }))
    const config = buildNodeConfig({ chainparams: file, banduration: '90m', whitelist: ['10.0.0.0/8', '::1'], debuglevel: 'PEER=debug', logformat: 'json', nobanning: true })
    expect(config.params.name).toBe('localnet')
    expect(config.datadir).toBe(join(homedir(), '.peerkeeper', 'localnet'))
    expect(config.banning.durationMs).toBe(90 * 60_000)
    expect(config.admission.whitelist.map((w) => w.target.key)).toEqual(['10.0.0.0/8', '::1'])
    expect(config.banning.enabled).toBe(false)
    expect(config.logging).toEqual({ debugLevel: 'PEER=debug', format: 'json', file: undefined })
  })

  it.each<[RunOptions, string]>([
    [{ connect: ['127.0.0.2'], addpeer: ['127.0.0.3'] }, '--connect cannot be combined with --addpeer'],
    [{ onion: '127.0.0.1:9050', noonion: true }, '--onion cannot be combined with --noonion'],
    [{ torisolation: true }, '--torisolation needs --proxy or --onion'],
    [{ proxyuser: 'u' }, '--proxyuser needs --proxy'],
    [{ listen: [':1'], nolisten: true }, '--listen cannot be combined with --nolisten'],
    [{ v2transport: true, nov2transport: true }, '--v2transport cannot be combined with --nov2transport'],
    [{ addpeer: ['127.0.0.2:70000'] }, '--addpeer: "127.0.0.2:70000" has port "70000"'],
    [{ connect: ['bad host!'] }, '--connect: "bad host!" is not a host name or IP address'],
    [{ listen: ['127.0.0.1:0'] }, '--listen: "127.0.0.1:0" has port "0"'],
    [{ banduration: 'soon' }, '--banduration'],
    [{ banduration: '500ms' }, '--banduration'],
    [{ maxpeers: 0 }, '--maxpeers: expected an integer >= 1'],
    [{ highwater: 10 }, '--highwater and --lowwater must be set together'],
    [{ highwater: 10, lowwater: 10 }, '--lowwater: 10 must be below --highwater (10)'],
    [{ peermsgburst: 5 }, '--peermsgburst needs --peermsgrate'],
    [{ peermsgrate: 0 }, '--peermsgrate: expected an integer >= 1'],
    [{ peerbyterate: 1000, peerbyteburst: 100 }, '--peerbyteburst: expected an integer >= 65536'],
    [{ sendstalltimeout: '0s' }, '--sendstalltimeout: "0s" must be longer than 0s'],
    [{ partialmsgtimeout: 'soon' }, '--partialmsgtimeout: "soon" is not a duration'],
    [{ targetoutbound: Number.NaN }, '--targetoutbound: expected an integer >= 0'],
    [{ whitelist: ['10.0.0.0/33'] }, '--whitelist: '],
    [{ whitelist: ['10.0.0.0/40'] }, '--whitelist: "10.0.0.0/40": subnet "10.0.0.0/40" has prefix'],
    [{ whitelist: ['noban,nobna@1.2.3.4'] }, '--whitelist: "noban,nobna@1.2.3.4" has unknown permission "nobna"; valid: noban, nolimit, addr, all'],
    [{ deny: ['noban@1.2.3.4'] }, '--deny: "noban@1.2.3.4" carries permissions'],
    [{ maxinboundperip: '-1' }, '--maxinboundperip: expected a whole number >= 0 or "unlimited", got "-1"'],
    [{ maxinboundpergroup: 'lots' }, '--maxinboundpergroup: expected a whole number >= 0 or "unlimited", got "lots"'],
    [{ inboundrate: '1.5' }, '--inboundrate: expected a whole number >= 0 or "unlimited", got "1.5"'],
    [{ maxpendinginbound: '' }, '--maxpendinginbound: expected a whole number >= 0 or "unlimited", got ""'],
    [{ whitelist: ['example.org'] }, '--whitelist: '],
    [{ seednode: ['[::1'] }, '--seednode: "[::1" has an unclosed "["'],
    [{ dnsserver: ['127.0.0.1:0'] }, '--dnsserver: "127.0.0.1:0" has port "0"'],
    [{ proxy: 'bad host!' }, '--proxy: "bad host!" is not a host name or IP address'],
    [{ debuglevel: 'FOO=debug' }, '--debuglevel: "FOO=debug" names unknown subsystem "FOO"'],
    [{ logformat: 'xml' }, '--logformat: "xml" is not one of text, json'],
    [{ selection: 'bucket' }, '--selection: "bucket" is not one of group, core'],
    [{ debuglevel: 'loud' }, '--debuglevel: "loud" has unknown level'],
    [{ network: 'moonnet' }, '--network: unknown network "moonnet"'],
    [{ chainparams: '/nonexistent/params.json', network: undefined }, '--chainparams: /nonexistent/params.json: cannot read chainparams file'],
    [{ chainparams: '/nonexistent/params.json' }, '--chainparams and --network cannot be combined']
  ])('refuses %j', (options, message) => {
    expect(() => build(options)).toThrow(message)
  })

  it('checks integer flags given as text strictly, quoting what was typed', () => {
    expect(build({ targetoutbound: '4', maxpeers: ' 12 ', banthreshold: '4294967295' })).toMatchObject({ outbound: { targetOutbound: 4 }, maxPeers: 12, banning: { threshold: 4294967295 } })
    expect(() => build({ targetoutbound: '' })).toThrow('--targetoutbound: expected an integer >= 0, got ""')
    expect(() => build({ targetoutbound: '0x10' })).toThrow('--targetoutbound: expected an integer >= 0, got "0x10"')
    expect(() => build({ maxpeers: '1e3' })).toThrow('--maxpeers: expected an integer >= 1, got "1e3"')
    expect(() => build({ banthreshold: '4294967296' })).toThrow('--banthreshold: expected an integer from 1 to 4294967295, got "4294967296"')
    expect(() => build({ banthreshold: 4294967296 })).toThrow('--banthreshold: expected an integer from 1 to 4294967295, got "4294967296"')
  })

  it('refuses an empty --debuglevel and --dnsserver with --proxy, as seed does', () => {
    expect(() => build({ debuglevel: '' })).toThrow('--debuglevel: "" has an empty level')
    expect(() => build({ debuglevel: 'info,,PEER=debug' })).toThrow('has an empty level')
    expect(() => build({ dnsserver: ['127.0.0.1'], proxy: '127.0.0.1:9050' })).toThrow('--dnsserver cannot be combined with --proxy')
  })
})
